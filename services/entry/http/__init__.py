"""The HTTP API: `create_app(store)` (FastAPI). `ingest.py` is the departments' write path,
`tokens.py` their hashed tokens and the audit of refusals, `schemas.py` the OpenAPI shapes."""
from services.entry.http.app import create_app

__all__ = ["create_app"]
