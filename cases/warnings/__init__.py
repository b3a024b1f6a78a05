"""Warning notes: a short, authorised alert on a young person, a place or a peer group, shown
as a banner at the top of its page until it is ended.

Modules by layer (models, services, selectors, forms, views, records); ``cases.models``,
``cases.services``... re-export them, so imports stay short."""
