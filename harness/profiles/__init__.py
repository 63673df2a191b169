"""Built-in SUT profiles (TOML)."""
