"""fake_logikal package."""
