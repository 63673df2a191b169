"""The `logikal-harness` commands: verify, up, soak, and the reports they write."""
