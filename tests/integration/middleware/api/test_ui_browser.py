"""A real headless Chromium logs in to /ui, edits an interval and reads Last Sync."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from middleware.api.app import create_app
from middleware.config import Settings
from middleware.db.models import ObjectSyncConfig
from middleware.db.session import session_scope

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME, serve_in_thread

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOWN = "%Y-%m-%d %H:%M:%S UTC"


@pytest.fixture
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./run bootstrap)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def test_admin_logs_in_edits_an_interval_and_reads_last_sync(
    browser: Browser, settings: Settings, db: sessionmaker[Session]
) -> None:
    last_sync = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    with session_scope(db) as session:  # as a completed scheduled project sync would leave it
        session.execute(
            update(ObjectSyncConfig)
            .where(ObjectSyncConfig.object_type == "project")
            .values(last_sync=last_sync, last_status="completed")
        )
    with serve_in_thread(create_app(settings)) as base_url:
        page = browser.new_page()
        try:
            page.goto(f"{base_url}/ui/sync-intervals")
            assert page.url == f"{base_url}/ui/login"
            page.fill("#username", ADMIN_USERNAME)
            page.fill("#password", ADMIN_PASSWORD)
            page.click("#login-submit")
            page.wait_for_url(f"{base_url}/ui")
            assert page.locator('[data-count="Projects"]').count() == 1

            page.goto(f"{base_url}/ui/sync-intervals")
            row = page.locator('tr[data-object-type="elevation"]')
            row.locator('input[name="sync_interval_minutes"]').fill("45")
            row.locator("button.save").click()
            page.wait_for_url(f"{base_url}/ui/sync-intervals?saved=elevation")
            assert page.locator('tr[data-object-type="elevation"] td.interval').inner_text() == "45"

            project = page.locator('tr[data-object-type="project"]')
            assert project.locator("td.last-sync").inner_text() == last_sync.strftime(SHOWN)
            assert project.locator("td.next-sync").inner_text() == (last_sync + timedelta(hours=2)).strftime(
                SHOWN
            )
            assert project.locator("td.last-result").inner_text() == "completed"
            directory = page.locator('tr[data-object-type="directory"]')
            assert directory.locator("td.last-sync").inner_text() == "Never"
            assert directory.locator("td.next-sync").inner_text() == "Due now"

            directory.locator("button.toggle").click()
            page.wait_for_url(f"{base_url}/ui/sync-intervals?saved=directory")
            directory = page.locator('tr[data-object-type="directory"]')
            assert directory.locator("td.enabled").inner_text() == "Disabled"
            assert directory.locator("td.next-sync").inner_text() == "Disabled"
        finally:
            page.close()
    with db() as session:
        stored = session.scalars(
            select(ObjectSyncConfig).where(ObjectSyncConfig.object_type == "elevation")
        ).one()
    assert stored.sync_interval_minutes == 45
