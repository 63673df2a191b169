"""Locust load profiles and capacity planning: users, shapes, instance emulation, analysis, the report."""
