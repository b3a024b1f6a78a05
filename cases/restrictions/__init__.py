"""Restricted young people: restricting a record and reviewing the restriction, who is named on
it and on what basis, and the out-of-hours manager's break-glass (``breakglass.py``)."""
