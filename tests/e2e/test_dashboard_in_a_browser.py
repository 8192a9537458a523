"""The dashboard in real Chromium, served by a real Phoenix on the test servers: an experiment
created, watched live, judged and promoted from the browser; the pipeline builder; the event log.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
import pytest
import yaml
from playwright.async_api import Browser, Page, expect

from gateway.runtime import Runtime
from pipelines.catalog import catalog
from tests.browser import artifacts, signed_in
from tests.cut_connections import CuttableRelay
from tests.e2e.experiments import send, simulated_load
from tests.runtimes import admin_headers

pytestmark = pytest.mark.timeout(240)


def admin_token(runtime: Runtime) -> str:
    return admin_headers(runtime.settings.data_dir)["Authorization"].removeprefix("Bearer ")


async def create_one(runtime: Runtime, name: str) -> None:
    """One ExperimentCreated in the log, as a program sending on the bus would make it."""
    body = {
        "name": name,
        "experiment_id": str(uuid4()),
        "baseline": {"name": "baseline", "template": "process-baseline-v1"},
        "candidates": [{"name": "agg", "template": "process-aggregated-v1"}],
        "duration_seconds": 60,
    }
    await send(runtime, "CreateExperiment", body)


async def chart_points(page: Page) -> int:
    found = await page.locator("figure.chart [data-points]").first.get_attribute("data-points")
    return int(found or 0)


async def test_an_operator_creates_watches_and_promotes_an_experiment_in_the_browser(
    runtime: Runtime, browser: Browser
) -> None:
    assert runtime.api_url is not None
    tab = await signed_in(browser, runtime.api_url, admin_token(runtime))
    page = tab.page
    await tab.screenshot("experiments-empty")
    async with simulated_load(runtime, hosts=3, interval=0.25):
        await page.get_by_role("button", name="New experiment").click()
        await page.get_by_label("Name", exact=True).fill("halve process metrics")
        await page.get_by_label("process-aggregated-v1 (template)").check()
        await page.get_by_label("process-priority-filter-v1 (template)").check()
        await page.get_by_label("Duration (seconds)").fill("0")
        await page.get_by_label("Collection interval (templates)").fill("250ms")
        await page.get_by_role("button", name="Create experiment").click()
        # The API's schema error lands on the field it is about, and nothing is sent.
        duration = page.get_by_label("Duration (seconds)")
        await expect(duration).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#error-duration_seconds")).to_contain_text("greater than 0")
        await tab.screenshot("experiment-form-error")
        await duration.fill("8")
        await page.get_by_role("button", name="Create experiment").click()

        await page.get_by_role("heading", name="halve process metrics").wait_for()
        await tab.screenshot("experiment-starting")
        # While it runs the charts gain points, read from the measurements as intervals end.
        seen: set[int] = set()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            seen.add(await chart_points(page))
            if await page.locator(".title-row .phase-completed").count():
                break
            if len(seen - {0}) == 2:
                await tab.screenshot("experiment-running")
            await asyncio.sleep(0.2)
        assert len(seen - {0}) >= 2, f"the chart did not grow while running: {sorted(seen)}"
    await expect(page.locator(".title-row .phase")).to_have_text("Completed", timeout=30_000)
    assert await chart_points(page) >= 5
    aggregated = page.locator("table.results tr[data-variant='aggregated']")
    await expect(aggregated.locator("td.verdict")).to_have_text("promote", timeout=15_000)
    await expect(page.locator(".reasons[data-variant='aggregated'] li").first).to_be_visible()
    await tab.screenshot("experiment-completed")

    await page.get_by_role("button", name="Promote…").click()
    await page.get_by_label("Variant", exact=True).select_option("aggregated")
    await page.get_by_role("button", name="Promote aggregated").click()
    await expect(page.get_by_text("Promoted aggregated in commit")).to_be_visible(timeout=30_000)

    trail = page.locator("table.audit tbody tr")
    types = await trail.evaluate_all("rows => rows.map(r => r.dataset.type)")
    for expected in (
        "ExperimentCreated",
        "ExperimentStarted",
        "AnalysisRecorded",
        "VariantPromoted",
    ):
        assert expected in types, types
    actors = await page.locator("table.audit tbody tr td:nth-child(3)").all_inner_texts()
    assert set(actors) > {"root"} or any(a.startswith("reactor:") for a in actors), actors
    await tab.screenshot("experiment-promoted")

    await page.get_by_role("link", name="Experiments").click()
    row = page.locator("table.experiments tbody tr").first
    await expect(row).to_contain_text("halve process metrics")
    await expect(row).to_contain_text("Completed")
    await page.get_by_label("Phase").select_option("Running")
    await expect(page.get_by_text("No experiments in Running yet.")).to_be_visible()
    await page.get_by_label("Phase").select_option("")
    await tab.screenshot("experiments")
    assert tab.unexpected("the server responded with a status of 422") == []


async def test_every_template_goes_through_the_builder_and_comes_out_as_it_went_in(
    runtime: Runtime, browser: Browser, api: httpx.AsyncClient
) -> None:
    assert runtime.api_url is not None
    tab = await signed_in(browser, runtime.api_url, admin_token(runtime))
    page = tab.page
    await page.get_by_role("link", name="Pipeline builder").click()
    for name in catalog():
        rendered = (await api.get(f"/api/v1/templates/{name}")).json()["rendered_with_defaults"]
        await page.get_by_label("From a template").select_option(name)
        await expect(page.get_by_label("Collector config (YAML)")).to_have_value(rendered)
        # Imported as a graph, exported back: the same config.
        await page.get_by_role("button", name="Import YAML").click()
        exported = await page.get_by_label("The graph as YAML").input_value()
        assert yaml.safe_load(exported) == yaml.safe_load(rendered), name
        await expect(
            page.get_by_text("Valid: Phoenix's validator found no problem.")
        ).to_be_visible()
    assert tab.problems == []


async def test_a_pipeline_is_changed_validated_estimated_and_registered_in_the_builder(
    runtime: Runtime, browser: Browser, api: httpx.AsyncClient
) -> None:
    assert runtime.api_url is not None
    tab = await signed_in(browser, runtime.api_url, admin_token(runtime))
    page = tab.page
    await page.get_by_role("link", name="Pipeline builder").click()
    await page.get_by_label("From a template").select_option("process-aggregated-v1")
    # Loaded (choosing a template replaces the graph: wait for it before editing the graph).
    rendered = (await api.get("/api/v1/templates/process-aggregated-v1")).json()
    await expect(page.get_by_label("Collector config (YAML)")).to_have_value(
        rendered["rendered_with_defaults"]
    )
    await expect(page.locator(".react-flow__node")).to_have_count(8)
    exported = page.get_by_label("The graph as YAML")

    # Change a node through its form: the export follows.
    # Chosen from the list beside the graph (a click on the canvas races React Flow's fitting
    # of the view on a busy machine); the graph marks the node chosen.
    await page.get_by_role("button", name="metrics: processor memory_limiter").click()
    await expect(page.locator(".react-flow__node", has_text="memory_limiter")).to_have_class(
        re.compile(r"\bselected-node\b")
    )
    await page.get_by_label("limit_mib (int)", exact=True).fill("300")
    await expect(exported).to_have_value(re.compile(r"limit_mib: 300\b"))

    # A setting the validator refuses shows on its node, with the path.
    await page.get_by_role("button", name="metrics: processor groupbyattrs/compact").click()
    keys = page.get_by_label("keys (list)", exact=True)
    await keys.fill("not: a list")
    node = page.locator(".react-flow__node", has_text="groupbyattrs/compact")
    await expect(node).to_have_class(re.compile(r"\bhas-problems\b"))
    await expect(page.get_by_label("Problems of this component")).to_contain_text(
        "processors.groupbyattrs/compact.keys"
    )
    await tab.screenshot("builder-problem")
    await keys.fill("- host.name\n- process.executable.name")
    await expect(page.get_by_text("Valid: Phoenix's validator found no problem.")).to_be_visible()

    # Add a processor from the palette (Phoenix's processors), then estimate before deploying.
    await page.get_by_label("Component", exact=True).select_option("processors:batch")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator(".react-flow__node")).to_have_count(9)
    await page.get_by_role("button", name="Estimate on simulated hosts").click()
    series = page.get_by_test_id("estimate-series")
    await expect(series).to_contain_text("%", timeout=60_000)
    assert float((await series.inner_text()).rstrip("%")) > 30
    await expect(page.get_by_test_id("estimate-retention")).to_contain_text("100.0%")
    await tab.screenshot("builder")
    config = yaml.safe_load(await exported.input_value())
    assert config["processors"]["memory_limiter"]["limit_mib"] == 300
    assert config["service"]["pipelines"]["metrics"]["processors"][-1] == "batch/2"

    # Registered, it is a pipeline an experiment can run: the form offers it.
    await page.get_by_label("Name", exact=True).fill("sketched")
    await page.get_by_role("button", name="Register", exact=True).click()
    await expect(page.get_by_text("Registered as sketched")).to_be_visible()
    version = (await api.get("/api/v1/pipelines/sketched/versions/1")).json()
    assert yaml.safe_load(version["config"]) == config
    await page.get_by_role("link", name="Experiments").click()
    await page.get_by_role("button", name="New experiment").click()
    await expect(page.get_by_label("sketched@1 (registered)")).to_be_visible()
    assert tab.problems == []


async def test_the_event_log_shows_each_event_once_as_it_is_appended(
    runtime: Runtime, browser: Browser
) -> None:
    """And measures how long an event takes from the store to the screen (p50/p99 of 100)."""
    assert runtime.api_url is not None
    tab = await signed_in(browser, runtime.api_url, admin_token(runtime))
    page = tab.page
    await page.get_by_role("link", name="Event log").click()
    await expect(page.locator(".live-open")).to_be_visible()
    # The moment each row appears, on the page's own clock (the same machine's as the test's).
    await page.evaluate(
        """() => {
          window.__shown = {};
          new MutationObserver(() => {
            for (const row of document.querySelectorAll('tr[data-position]')) {
              window.__shown[row.dataset.position] ??= Date.now();
            }
          }).observe(document.body, {childList: true, subtree: true});
        }"""
    )
    sent = 100
    for n in range(sent):
        await create_one(runtime, f"latency {n}")
        await asyncio.sleep(0.02)
    rows = page.locator("table.audit tbody tr[data-type='ExperimentCreated']")
    await expect(rows).to_have_count(sent, timeout=60_000)
    shown: dict[str, int] = await page.evaluate("() => window.__shown")
    created = [
        e
        for e in await runtime.store.read_all(after_position=0, limit=10_000)
        if e.type == "ExperimentCreated"
    ]
    assert len(created) == sent
    positions = [str(e.position) for e in created]
    assert len(set(positions)) == sent and all(p in shown for p in positions)
    delays = sorted(
        shown[str(e.position)] - e.metadata.occurred_at.timestamp() * 1000 for e in created
    )
    p50, p99 = statistics.median(delays), delays[int(0.99 * len(delays)) - 1]
    report = {"events": sent, "p50_ms": round(p50, 1), "p99_ms": round(p99, 1)}
    (artifacts().parent / "event-latency.json").write_text(json.dumps(report) + "\n")
    print(f"appended → on screen over {sent} events: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    await tab.screenshot("event-log")
    assert tab.problems == []


async def test_after_a_dropped_connection_the_event_log_resumes_missing_nothing_and_repeating_nothing(
    runtime: Runtime, browser: Browser
) -> None:
    assert runtime.api_url is not None
    api = urlsplit(runtime.api_url)
    assert api.hostname is not None and api.port is not None
    relay = CuttableRelay(api.hostname, api.port)
    async with relay.running() as through_relay:
        tab = await signed_in(browser, through_relay, admin_token(runtime))
        page = tab.page
        await page.get_by_role("link", name="Event log").click()
        await expect(page.locator(".live-open")).to_be_visible()

        async def create(names: range) -> None:
            for n in names:
                await create_one(runtime, f"resumed {n}")

        rows = page.locator("table.audit tbody tr[data-type='ExperimentCreated']")
        await create(range(10))
        await expect(rows).to_have_count(10)
        # The stream is cut while events are appended: the browser reconnects with the id of
        # the last event it had (Last-Event-ID) and is sent what followed, once.
        assert await relay.cut() >= 1
        await create(range(10, 30))
        await expect(rows).to_have_count(30, timeout=20_000)
        await expect(page.locator(".live-open")).to_be_visible()
    positions = await rows.evaluate_all("rows => rows.map(r => Number(r.dataset.position))")
    assert len(set(positions)) == 30
    names = {
        e.data["spec"]["name"]
        for e in await runtime.store.read_all(after_position=0, limit=1000)
        if e.type == "ExperimentCreated"
    }
    assert names == {f"resumed {n}" for n in range(30)}
    assert tab.unexpected("ERR_", "Failed to fetch", "network error") == []
