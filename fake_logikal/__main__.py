"""`python -m fake_logikal`: serve the fake Logikal API (see README.md)."""

import sys

from .cli import main

sys.exit(main())
