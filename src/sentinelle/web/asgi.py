"""ASGI entry point for `uvicorn sentinelle.web.asgi:app` (several workers)."""

from sentinelle.web.app import create_app

app = create_app()
