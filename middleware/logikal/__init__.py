"""Logikal MBIOE API v3 client."""
