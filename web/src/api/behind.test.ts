import { describe, expect, it } from "vitest";
import type { Schemas } from "./client";
import type { LogEvent } from "./events";
import { behind } from "./behind";

function event(version: number, type: string): LogEvent {
  return {
    position: 100 + version,
    stream_id: "experiment-x",
    version,
    event_id: `e${version}`,
    type,
    schema_version: 1,
    data: {},
    metadata: {
      actor: "alice",
      occurred_at: "2026-11-30T00:00:00Z",
      command_id: null,
      correlation_id: null,
      causation_id: null,
    },
  };
}

const view = (version: number) => ({ version }) as Schemas["ExperimentView"];
const results = (available: boolean, commit: string | null = null) =>
  ({ available, promotion_commit: commit }) as Schemas["ResultsView"];

describe("whether the page's read models trail the events it has seen", () => {
  it("is so while the experiment's view has not applied the latest event", () => {
    const seen = [event(1, "ExperimentCreated"), event(2, "ExperimentStarted")];
    expect(behind(view(1), results(false), seen)).toBe(true);
    expect(behind(view(2), results(false), seen)).toBe(false);
  });

  it("is so while the results lack an analysis or a promotion the stream has", () => {
    const analysed = [event(9, "AnalysisRecorded")];
    expect(behind(view(9), results(false), analysed)).toBe(true);
    expect(behind(view(9), results(true), analysed)).toBe(false);
    const promoted = [...analysed, event(10, "VariantPromoted")];
    expect(behind(view(10), results(true), promoted)).toBe(true);
    expect(behind(view(10), results(true, "abc123"), promoted)).toBe(false);
  });

  it("is not, before anything is loaded or seen", () => {
    expect(behind(undefined, undefined, [event(1, "ExperimentCreated")])).toBe(false);
    expect(behind(view(3), undefined, [])).toBe(false);
  });
});
