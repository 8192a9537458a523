import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { Results } from "./Results";

function variant(over: Partial<Schemas["VariantResultView"]>): Schemas["VariantResultView"] {
  return {
    variant: "baseline",
    role: "baseline",
    template: "process-baseline-v1",
    pipeline: null,
    pipeline_sha256: null,
    verdict: null,
    reasons: null,
    measures: null,
    intervals: null,
    config_sha256: null,
    deployed_at: null,
    deployment: null,
    deployment_error: null,
    torn_down_at: null,
    predicted: null,
    ...over,
  };
}

const RESULTS: Schemas["ResultsView"] = {
  experiment_id: "2f0c3f86-4d1a-4a8e-9d55-5d2b8a4c1e11",
  name: "halve process metrics",
  phase: "Completed",
  available: true,
  window_ends_at: null,
  winner: "aggregated",
  promoted_variant: null,
  promotion_commit: null,
  reason: null,
  variants: [
    variant({ measures: { series: 1200, datapoints_per_minute: 9000 } }),
    variant({
      variant: "aggregated",
      role: "candidate",
      verdict: "promote",
      reasons: ["series -61.0% (p=0.0001)"],
      measures: { series: 468, series_reduction: 0.61, critical_retention: 1, critical_kept: 4 },
    }),
    variant({
      variant: "no-postgres",
      role: "candidate",
      verdict: "reject",
      reasons: ["critical processes lost: postgres (2 of 4)"],
      measures: { series: 300, critical_retention: 0.5, critical_kept: 2, critical_lost: 2 },
    }),
  ],
};

describe("the results table", () => {
  it("shows every variant's figures, verdict, and critical retention with what was lost", () => {
    render(<Results results={RESULTS} />);
    const row = screen
      .getAllByRole("row")
      .find((r) => r.getAttribute("data-variant") === "no-postgres");
    expect(row).toBeDefined();
    const cells = within(row as HTMLElement);
    expect(cells.getByText("reject")).toBeTruthy();
    expect(cells.getByText("50.0%, 2 kept, 2 lost")).toBeTruthy();
    expect(screen.getByText("Winner:").textContent).toContain("aggregated");
    expect(screen.getByText("critical processes lost: postgres (2 of 4)")).toBeTruthy();
  });

  it("says the verdicts are still to come before the analysis", () => {
    render(<Results results={{ ...RESULTS, available: false }} />);
    expect(screen.getByText(/Not analysed yet/)).toBeTruthy();
  });
});
