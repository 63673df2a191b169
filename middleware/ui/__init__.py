"""Server-rendered admin pages under /ui (Jinja2, no front-end build)."""
