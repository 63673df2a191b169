"""Observation: the SUT adapter (declared queries and HTTP templates), invariants and evidence."""
