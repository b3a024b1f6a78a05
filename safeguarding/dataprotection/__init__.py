"""The data protection officer's pages (``/data-protection/``).

One landing page that leads to the officer's work, each part in its own module or app:

* who looked, and why: the access log of a young person, place or peer group, a person's own
  access, and unusual access (``safeguarding.dataprotection.access``);
* retention: the schedule, records due for review, disposal (``safeguarding.retention``);
* subject access requests (``safeguarding.subject_access``);
* restrictions due for review and break-glass access (``cases.restrictions``).

Every page is for :func:`safeguarding.accounts.visibility.protects_data` only (a 404 to anyone
else) and reads records through the rule with ``visibility.ACCOUNT``: the officer's own
authority, nothing of another's.
"""
