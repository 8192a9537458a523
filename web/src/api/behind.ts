// Whether an experiment's read models trail the events a page has received from its stream.
import type { Schemas } from "./client";
import type { LogEvent } from "./events";

/** Whether the read models trail the experiment's stream as this page has received it. */
export function behind(
  view: Schemas["ExperimentView"] | undefined,
  results: Schemas["ResultsView"] | undefined,
  events: LogEvent[],
): boolean {
  if (!view || events.length === 0) return false;
  const latest = Math.max(...events.map((e) => e.version));
  if (view.version < latest) return true;
  const seen = new Set(events.map((e) => e.type));
  if (seen.has("AnalysisRecorded") && !results?.available) return true;
  return seen.has("VariantPromoted") && !results?.promotion_commit;
}
