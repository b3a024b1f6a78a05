"""The partner API (``/api/v1/``): the shared layer every endpoint is built on.

Each app keeps its own endpoints in ``<app>/api/`` (serializers, filters, viewsets); this
package holds what they share: token authentication, RFC 9457 problem details, idempotency,
pagination, throttling, the OpenAPI schema and the routing.
"""
