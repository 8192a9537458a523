"""Getting into the dashboard and getting around it: the sign-in link `phoenix dashboard` prints,
a refused token, keyboard and screen-reader basics (axe-core's WCAG A/AA rules), tablet widths.
"""

from __future__ import annotations

import os
from uuid import uuid4

import pytest
from playwright.async_api import Browser, expect

from domain.identity import Role
from gateway.runtime import Runtime
from tests.browser import accessibility_violations, open_page, signed_in
from tests.e2e.experiments import send
from tests.identities import token
from tests.processes import run_cli
from tests.runtimes import admin_headers

pytestmark = pytest.mark.timeout(180)


async def test_the_link_phoenix_dashboard_prints_signs_the_browser_in_as_the_clis_caller(
    runtime: Runtime, browser: Browser
) -> None:
    alice = token("alice", Role.OPERATOR, key=runtime.real.key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    env |= {"PHOENIX_DATA_DIR": str(runtime.settings.data_dir), "PHOENIX_TOKEN": alice}
    code, out, err = await run_cli(env, "dashboard")
    assert code == 0, err
    assert "signs in as alice (operator, viewer)" in err
    link = out.strip()
    assert link == f"{runtime.api_url}/#/signin?token={alice}"

    tab = await open_page(browser)
    await tab.page.goto(link)
    await expect(tab.page.get_by_test_id("caller")).to_have_text("alice (operator, viewer)")
    assert "token=" not in tab.page.url
    await tab.page.get_by_role("button", name="Sign out").click()
    await expect(tab.page.get_by_label("Bearer token")).to_be_visible()
    assert tab.problems == []


async def test_a_token_the_api_refuses_leads_back_to_sign_in_with_the_reason(
    runtime: Runtime, browser: Browser
) -> None:
    tab = await open_page(browser)
    await tab.page.goto(f"{runtime.api_url}/#/signin?token=not-a-token")
    await expect(tab.page.get_by_label("Bearer token")).to_be_visible()
    await tab.page.get_by_label("Bearer token").fill("still-not-a-token")
    await tab.page.get_by_role("button", name="Sign in").click()
    await expect(tab.page.get_by_role("alert")).to_contain_text("This token is not accepted")
    assert tab.unexpected("status of 401") == []


@pytest.mark.parametrize("width", [1280, 768])
async def test_every_page_passes_the_accessibility_rules_and_fits_the_width(
    runtime: Runtime, browser: Browser, width: int
) -> None:
    assert runtime.api_url is not None
    experiment_id = uuid4()
    await send(
        runtime,
        "CreateExperiment",
        {
            "experiment_id": str(experiment_id),
            "name": "looked at",
            "baseline": {"name": "baseline", "template": "process-baseline-v1"},
            "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
            "duration_seconds": 60,
        },
    )
    admin = admin_headers(runtime.settings.data_dir)["Authorization"].removeprefix("Bearer ")
    tab = await signed_in(browser, runtime.api_url, admin, width=width, bypass_csp=True)
    page = tab.page
    # The first Tab reaches the skip link; it moves focus to the content.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    pages = {
        "experiments": ("#/", "Experiments"),
        "experiment": (f"#/experiments/{experiment_id}", "looked at"),
        "builder": ("#/builder", "Pipeline builder"),
        "log": ("#/log", "Event log"),
    }
    for name, (route, heading) in pages.items():
        await page.goto(f"{runtime.api_url}/{route}")
        await page.get_by_role("heading", name=heading, exact=True).wait_for()
        if name == "experiments":
            await page.get_by_role("button", name="New experiment").click()
            await page.get_by_role("heading", name="New experiment").wait_for()
        if name == "builder":
            await page.locator(".react-flow__node").first.wait_for()
        assert await accessibility_violations(page) == [], name
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        if width == 768:
            await tab.screenshot(f"{name}-tablet")
    assert tab.problems == []
