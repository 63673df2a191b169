"""Variant: the start-up debug dump of the upstream (upstream-facts §4.1) prints the Logikal password and
SECRET_KEY once before starting normally. C22 must fail."""

from __future__ import annotations

import os
import sys

from middleware import cli

if __name__ == "__main__":
    sys.stdout.write("=== DEBUG: Environment Variables ===\n")
    for name in ("LOGIKAL_AUTH_USERNAME", "LOGIKAL_AUTH_PASSWORD", "SECRET_KEY"):
        sys.stdout.write(f"{name}: {os.environ.get(name, '')}\n")
    sys.stdout.write("=== END DEBUG ===\n")
    sys.stdout.flush()
    sys.exit(cli.main(sys.argv[1:]))
