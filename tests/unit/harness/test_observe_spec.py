"""Observation declarations: HTTP templates, vocabularies, capabilities, the Observer's reading of logs."""

from __future__ import annotations

import pytest

from harness.errors import InconclusiveError
from harness.observe.adapter import Observer, preflight_checks
from harness.observe.spec import Capability, HttpTemplate, ObservationSpec, ObservationSpecError
from harness.stack.profile import load_profile


def _observer(spec: ObservationSpec) -> Observer:
    # Nothing listens on port 9: any real request would fail, so these tests prove no I/O happens.
    return Observer(spec, database_url="postgresql://127.0.0.1:9/x", base_url="http://127.0.0.1:9",
                    admin_username="admin", admin_password="pw")  # fmt: skip


def test_a_template_placeholder_alone_keeps_its_type_and_others_are_formatted() -> None:
    template = HttpTemplate.from_mapping(
        "set",
        {"method": "put", "path": "/x/{type}", "json": {"minutes": "{minutes}", "note": "to {minutes}"}},
    )
    request = template.render({"type": "phase", "minutes": 30})
    assert request == {"method": "PUT", "url": "/x/phase", "json": {"minutes": 30, "note": "to 30"}}


def test_a_template_without_path_is_refused_with_its_name() -> None:
    with pytest.raises(ObservationSpecError, match=r"observe\.http\.force_sync"):
        HttpTemplate.from_mapping("force_sync", {"method": "POST"})


def test_unknown_sql_observations_are_refused() -> None:
    with pytest.raises(ObservationSpecError, match="unknown observation"):
        ObservationSpec.from_mapping({"sql": {"sync_logs": "SELECT 1"}})


def test_the_builds_words_map_onto_the_harness_vocabulary() -> None:
    spec = ObservationSpec.from_mapping(
        {
            "types": {"elevation": "elevations_v2"},
            "run_status": {"completed": ["success", "OK"], "failed": "error"},
            "triggers": {"force": ["project_force"]},
        }
    )
    assert spec.harness_type("elevations_v2") == "elevation"
    assert spec.build_type("elevation") == "elevations_v2"
    assert spec.run_status_of("ok") == "completed"
    assert spec.run_status_of("error") == "failed"
    assert spec.run_status_of("Weird") == "weird"
    assert spec.trigger_of("project_force") == "force"
    assert spec.trigger_of(None) == "scheduled"


def test_declared_capabilities_follow_the_declarations() -> None:
    empty = ObservationSpec.from_mapping({})
    assert empty.declared() == {Capability.LOGS}
    partial = ObservationSpec.from_mapping({"sql": {"directories": "x", "projects": "x", "phases": "x"}})
    assert Capability.TREE not in partial.declared()
    assert set(load_profile().observe.declared()) == set(Capability)


def test_missing_declarations_are_inconclusive_not_errors() -> None:
    observer = _observer(ObservationSpec.from_mapping({}))
    with pytest.raises(InconclusiveError, match=r"declares no observe\.sql\.sync_runs"):
        observer.sync_runs()
    with pytest.raises(InconclusiveError, match=r"declares no observe\.http\.set_interval"):
        observer.set_interval("phase", 30)
    with pytest.raises(InconclusiveError, match=r"health\.detailed_path"):
        observer.detailed_health()
    checks = preflight_checks(observer)
    assert checks["sync_runs"] == "not declared in the SUT profile"
    assert checks["logs"] == ""


def test_a_failing_query_is_inconclusive_with_the_reason() -> None:
    observer = _observer(ObservationSpec.from_mapping({"sql": {"sync_runs": "SELECT 1"}}))
    with pytest.raises(InconclusiveError, match=r"observe\.sql\.sync_runs failed"):
        observer.sync_runs()


@pytest.mark.parametrize(
    ("log", "line", "message"),
    [
        ({"kind": "json"}, '{"event": "Found 4 enabled sync configurations", "level": "info"}',
         "Found 4 enabled sync configurations"),
        ({"kind": "prefix", "prefix": r"^\S+ \S+ - \S+ - (?P<level>[A-Z]+) - "},
         "2024-05-01 12:00:00,123 - app.startup - INFO - Starting application...", "Starting application..."),
        ({"kind": "prefix", "prefix": r"^\S+ \S+ - "}, "no prefix here", "no prefix here"),
    ],
)  # fmt: skip
def test_the_message_of_a_log_line_is_read_as_the_profile_says(log: dict[str, str], line: str,
                                                               message: str) -> None:  # fmt: skip
    assert _observer(ObservationSpec.from_mapping({"log": log})).log_message(line) == message


def test_health_status_is_found_under_the_declared_keys() -> None:
    from harness.observe.adapter import _pointer

    body = {"detail": {"status": "unhealthy"}}
    assert _pointer(body, "status|detail.status") == "unhealthy"
    assert _pointer({"status": "healthy"}, "status|detail.status") == "healthy"
    assert _pointer(body, "status") is None
