"""Concerns: logging them, who may see them, and the borough's themes and figures.

Modules by layer (models, services, selectors, forms, views); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
