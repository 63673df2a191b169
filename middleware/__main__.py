"""Entry point: ``python -m middleware start|web|worker|beat|migrate``."""

from middleware.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
