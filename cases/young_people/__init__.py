"""Young people: who they are, other names, harms flagged; naming staff on a restricted record.

Modules by layer (models, services, selectors, forms, views); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
