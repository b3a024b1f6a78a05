"""Subject access requests (UK GDPR Article 15): the data protection officer's record of a
request, the bundle compiled from every record that is about the young person or mentions
them, its redactions (other young people and third parties), its review, and the PDF and JSON
sent to the person. See the README, "Subject access requests"."""
