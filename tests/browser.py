"""Real Chromium (Debian's package) driven by Playwright, on the dashboard a real Phoenix serves.

Each page's console errors and uncaught exceptions are collected and fail the test; screenshots
go to ``test-artifacts/screenshots`` (PHOENIX_ARTIFACTS to put them elsewhere).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "web" / "dist" / "index.html"
LAUNCH_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def artifacts() -> Path:
    where = Path(os.environ.get("PHOENIX_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
    where.mkdir(parents=True, exist_ok=True)
    return where


def chromium_path() -> str:
    """Debian's chromium (scripts/install-chromium), or PHOENIX_CHROMIUM; skipped without it,
    unless CI requires the dashboard's tests (PHOENIX_REQUIRE_DASHBOARD=1).
    """
    found = os.environ.get("PHOENIX_CHROMIUM") or shutil.which("chromium")
    if not found or not Path(found).exists():
        missing(
            "no chromium: run scripts/install-chromium (Debian's package) or set PHOENIX_CHROMIUM",
            "PHOENIX_REQUIRE_DASHBOARD",
        )
    if not BUNDLE.exists():
        missing(
            "the dashboard is not built: run scripts/build-web (it needs npm)",
            "PHOENIX_REQUIRE_DASHBOARD",
        )
    return found


@dataclass
class Watched:
    """A page, with what went wrong in it: console errors and uncaught exceptions."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def unexpected(self, *provoked: str) -> list[str]:
        """The problems, but for the network errors the test provoked on purpose (Chromium logs
        every 4xx answer as a console error), each named by a text it contains.
        """
        return [p for p in self.problems if not any(text in p for text in provoked)]

    async def screenshot(self, name: str) -> Path:
        path = artifacts() / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def open_page(
    browser: Browser, *, width: int = 1280, height: int = 900, bypass_csp: bool = False
) -> Watched:
    """A fresh tab (its own storage); ``bypass_csp`` lets a test inject a checker (axe-core)."""
    context = await browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=bypass_csp
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    watched = Watched(page)
    page.on(
        "console",
        lambda m: (
            watched.problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: watched.problems.append(f"uncaught: {e}"))
    return watched


async def signed_in(
    browser: Browser, api_url: str, token: str, *, width: int = 1280, bypass_csp: bool = False
) -> Watched:
    """A page signed in through a sign-in link, as `phoenix dashboard` prints one."""
    watched = await open_page(browser, width=width, bypass_csp=bypass_csp)
    await watched.page.goto(f"{api_url}/#/signin?token={token}")
    await watched.page.get_by_role("heading", name="Experiments").wait_for()
    assert "token=" not in watched.page.url  # taken out of the address bar and history
    return watched


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


async def accessibility_violations(page: Page) -> list[str]:
    """What axe-core (WCAG 2 A and AA rules) finds serious or critical on the page as it is."""
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(
        """async () => {
          const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']});
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
        }"""
    )
    return list(found)
