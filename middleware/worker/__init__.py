"""Celery app, tasks, scheduler and beat."""
