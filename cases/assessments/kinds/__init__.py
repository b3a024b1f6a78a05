"""The assessment kinds, each declared once (``definitions.Definition``) and registered here."""
