"""What every subject page (young person, place, peer group) shares: chronology and links.

Modules by layer (models, services, selectors, forms, views); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
