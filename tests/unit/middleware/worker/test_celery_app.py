"""The Celery app: broker URL and TLS, queues and routing, reliability settings, lazy module-level app."""

from __future__ import annotations

import ssl
import subprocess
import sys

import pytest

from middleware.config import ConfigError, Settings, load_settings
from middleware.worker.celery_app import broker_url, create_celery
from middleware.worker.names import (
    ALL_QUEUES,
    BEAT_ENTRY,
    QUEUE_PARSER,
    QUEUE_SCHEDULER,
    QUEUE_SYNC,
    TASK_FORCE_SYNC_PROJECT,
    TASK_PARSE_PARTS_LIST,
    TASK_SCHEDULER,
    TASK_SYNC_OBJECT_TYPE,
)


def _settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"REDIS_URL": "redis://127.0.0.1:6379/3", "ENVIRONMENT": "testing"}
    values.update(overrides)
    return load_settings(**values)


def test_rediss_url_gets_ssl_cert_reqs_and_broker_ssl_options() -> None:
    app = create_celery(_settings(REDIS_URL="rediss://default:pw@redis.example:25061"))
    assert app.conf.broker_url == "rediss://default:pw@redis.example:25061?ssl_cert_reqs=required"
    assert app.conf.broker_use_ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    assert app.connection_for_write().ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}


def test_rediss_url_keeps_an_ssl_cert_reqs_it_already_has() -> None:
    url = "rediss://default:pw@redis.example:25061/0?ssl_cert_reqs=CERT_OPTIONAL"
    app = create_celery(_settings(REDIS_URL=url))
    assert app.conf.broker_url == url
    assert app.conf.broker_use_ssl == {"ssl_cert_reqs": ssl.CERT_OPTIONAL}


def test_plain_redis_url_is_used_as_given_without_ssl() -> None:
    app = create_celery(_settings(REDIS_URL="redis://:secret@10.0.0.5:6380/2"))
    assert app.conf.broker_url == "redis://:secret@10.0.0.5:6380/2"
    assert app.conf.broker_use_ssl is None
    assert broker_url("redis://h:1/0") == "redis://h:1/0"


def test_missing_redis_url_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_celery(load_settings(ENVIRONMENT="testing"))


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        (TASK_SYNC_OBJECT_TYPE, QUEUE_SYNC),
        (TASK_FORCE_SYNC_PROJECT, QUEUE_SYNC),
        (TASK_PARSE_PARTS_LIST, QUEUE_PARSER),
        (TASK_SCHEDULER, QUEUE_SCHEDULER),
    ],
)
def test_routing_sends_each_task_name_to_its_queue(task_name: str, queue: str) -> None:
    app = create_celery(_settings())
    route = app.amqp.router.route({}, task_name)
    assert route["queue"].name == queue
    # own exchange and routing key: a message for one queue is never copied into the others
    assert (route["queue"].exchange.name, route["queue"].routing_key) == (queue, queue)


def test_all_three_queues_are_declared_and_nothing_goes_to_the_default_celery_queue() -> None:
    app = create_celery(_settings())
    assert sorted(q.name for q in app.conf.task_queues) == sorted(ALL_QUEUES)
    assert app.amqp.router.route({}, "tasks.sync_tasks.anything_new")["queue"].name == QUEUE_SYNC
    assert app.conf.task_default_queue == QUEUE_SYNC


def test_reliability_settings_follow_settings() -> None:
    app = create_celery(
        _settings(
            SYNC_TASK_SOFT_TIME_LIMIT=100,
            SYNC_TASK_TIME_LIMIT=120,
            CELERY_MAX_TASKS_PER_CHILD=7,
            CELERY_WORKER_POOL="solo",
            CELERY_BROKER_HEALTH_CHECK_INTERVAL=2500,
        )
    )
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (100, 120)
    assert conf.worker_max_tasks_per_child == 7
    assert conf.worker_pool == "solo"
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.broker_transport_options["health_check_interval"] == 2500
    assert conf.broker_connection_retry_on_startup is True
    assert conf.task_ignore_result is True
    assert not conf.result_backend


def test_beat_schedule_ticks_every_sync_interval_divided_by_clock_speed() -> None:
    app = create_celery(_settings(SYNC_INTERVAL_SECONDS=300, CLOCK_SPEED=60))
    entry = app.conf.beat_schedule[BEAT_ENTRY]
    assert entry["task"] == TASK_SCHEDULER
    assert entry["schedule"] == 5.0
    assert entry["options"]["queue"] == QUEUE_SCHEDULER


def test_importing_the_module_builds_no_app_and_reads_no_environment() -> None:
    code = (
        "import middleware.worker.celery_app as m, sys; "
        "assert m._lazy_app is None; assert 'middleware.worker.tasks' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)


def test_module_level_app_is_built_from_the_environment_on_first_access() -> None:
    code = "import middleware.worker.celery_app as m; assert m.app is m.app; print(m.app.conf.broker_url)"
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": "rediss://user:pw@redis.example:25061/0"}
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, timeout=60, capture_output=True, text=True
    )
    assert done.stdout.strip().endswith("?ssl_cert_reqs=required")
