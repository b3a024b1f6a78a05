"""Casework: cases, allocations, transfers and actions, and the team manager's caseload.

Modules by layer (models, services, selectors, forms, views); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
