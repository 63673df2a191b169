"""The sync engine: one engine over a table of per-level specs."""
