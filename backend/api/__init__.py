"""The HTTP endpoints, one module per area; `backend/openapi.yaml` describes them all."""
