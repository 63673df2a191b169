"""HTTP API (FastAPI) and server-rendered admin pages."""
