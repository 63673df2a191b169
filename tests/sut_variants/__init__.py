"""SUT variants that break the middleware on purpose, one behaviour each, to prove the gate fails."""
