# Developer shortcuts; every target goes through ./run so people and CI do the same thing.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: help install test unit integration contract scenarios verify lint typecheck fmt clean bench-services bench-fake bench-sync bench-memory bench-warp bench-gate-wall bench-leak load-smoke capacity-plan

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: ## venv, pip packages and Debian packages (when root)
	./run bootstrap

test: ## the whole suite, as CI runs it
	./run test

unit: install ## unit tests only (< 15 s)
	$(PY) -m pytest tests/unit

integration: install ## integration tests (private PostgreSQL and Redis)
	$(PY) -m pytest tests/integration

contract: install ## fake vs swagger contract tests
	$(PY) -m pytest tests/contract

scenarios: install ## checklist scenarios through the Stack
	$(PY) -m pytest scenarios

verify: ## the deployment gate on embedded defaults
	./run verify

lint: install ## ruff and import-linter
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: install ## mypy, strict for our packages
	$(VENV)/bin/mypy

fmt: install ## format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-services: install ## median time from nothing to Redis + PostgreSQL ready
	$(PY) bench/bench_services.py

bench-fake: install ## fake_logikal throughput and start-up times
	$(PY) bench/bench_fake.py

bench-sync: install ## force sync of DOS22309 at production latency, full vs incremental calls
	$(PY) bench/bench_sync.py

bench-memory: install ## PSS/RSS of the single-container process tree, idle and under sync
	$(PY) bench/bench_memory.py

bench-warp: install ## external (libfaketime) vs built-in warp: real time of one force sync per speed
	$(PY) bench/bench_warp.py

bench-gate-wall: install ## whole gate, built-in clock vs external warp, alternately: wall times and ratio
	$(PY) -m bench.bench_gate_wall

bench-leak: install ## smallest memory leak C10 detects (planted leaks of decreasing size), MB per simulated h
	$(PY) -m bench.bench_leak_threshold

load-smoke: install ## 60-s smoke load at basic-xs, 2 locust workers (what CI runs); report in reports/load-*
	$(PY) -m load --profile smoke --instance basic-xs --workers 2

capacity-plan: install ## step ramp at basic-xxs and basic-xs, then sync capacity: sizing verdicts (docs/capacity.md)
	$(PY) bench/bench_capacity.py

clean: ## remove caches and reports
	rm -rf .pytest_cache .mypy_cache .ruff_cache reports build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
