"""Runtime: managed processes, probes, the crash watchdog, polling, Redis/PostgreSQL providers."""
