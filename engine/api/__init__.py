"""The JSON API under /api/v1 and the inbound webhooks under /webhooks: one module per concept, each a
blueprint the app factory registers (engine/__init__.py). A view parses and authenticates, calls its domain's
service and shapes the answer; the OpenAPI document (/api/v1/openapi.json) is built from these modules."""
