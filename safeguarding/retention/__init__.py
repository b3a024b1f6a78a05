"""Retention: how long each kind of record is kept, and what happens at the end.

* The **schedule** (:class:`~safeguarding.retention.models.RetentionRule`): per local authority
  and record type, a period (years and months) counted from an event (last activity, the
  18th birthday, closure) and the action at its end (anonymise or delete). Its defaults are
  ``settings.RETENTION_DEFAULTS``; the authority's data protection officer edits its own.
* **Legal holds** (:class:`~safeguarding.retention.models.LegalHold`): a record under one is
  never listed as due, nor disposed of.
* The **listing** (``listing.list_due``, run daily by Celery beat): writes one
  :class:`~safeguarding.retention.models.RetentionReview` per record due, set-based, one query
  per record type.
* **Disposal** (``disposal.dispose``): anonymises or deletes a record and everything about it
  in one transaction, keeping a :class:`~safeguarding.retention.models.DisposalStub` and the
  audit. ``disposal.DISPOSAL`` says how each related model is disposed of.
"""
