"""The front door: referrals from partners and staff, and their triage.

Modules by layer (models, services, selectors, forms, views); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
