"""The ASGI entry point for production servers: `uvicorn api.asgi:app --workers 4`."""

from api.app import create_app

app = create_app()
