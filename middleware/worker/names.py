"""Celery task names and queues: the contract between the web process (which only sends) and the worker."""

from __future__ import annotations

__all__ = [
    "ALL_QUEUES",
    "BEAT_ENTRY",
    "QUEUE_PARSER",
    "QUEUE_SCHEDULER",
    "QUEUE_SYNC",
    "TASK_FORCE_SYNC_PROJECT",
    "TASK_PARSE_PARTS_LIST",
    "TASK_SCHEDULER",
    "TASK_SYNC_OBJECT_TYPE",
]

QUEUE_SYNC = "sync"
QUEUE_SCHEDULER = "scheduler"
QUEUE_PARSER = "sqlite_parser"
ALL_QUEUES = (QUEUE_SYNC, QUEUE_SCHEDULER, QUEUE_PARSER)

BEAT_ENTRY = "smart-sync-scheduler"
TASK_SCHEDULER = "tasks.scheduler_tasks.smart_sync_scheduler"  # upstream name (drop-in)
TASK_SYNC_OBJECT_TYPE = "tasks.sync_tasks.sync_object_type"  # kwargs: object_type, trigger, run_id
TASK_FORCE_SYNC_PROJECT = "tasks.sync_tasks.force_sync_project"  # kwargs: run_id, project_name, dir path
TASK_PARSE_PARTS_LIST = "tasks.sqlite_parser_tasks.parse_elevation_sqlite"  # kwargs: elevation_id
