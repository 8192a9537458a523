// Experiments: newest first with phase, verdict, winner and reduction; filter by phase; create one.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { api, ok, type Schemas } from "../api/client";
import { useEventStream } from "../api/events";
import { useLoad } from "../api/useLoad";
import { CreateExperiment } from "../components/CreateExperiment";
import { Failure, Loading, PhaseBadge, percent } from "../components/Status";

const PHASES: Schemas["Phase"][] = [
  "Pending",
  "Initializing",
  "Deploying",
  "Running",
  "Analyzing",
  "Completed",
  "Failed",
  "Cancelled",
];

type Summary = Schemas["ExperimentSummary"];

async function rows(phase: Schemas["Phase"] | ""): Promise<Summary[]> {
  const page = await ok(
    api.GET("/api/v1/experiments", {
      params: { query: { limit: 50, ...(phase ? { phase } : {}) } },
    }),
  );
  return page.items;
}

function verdictOf(summary: Summary): string {
  if (summary.verdicts.length === 0) return "—";
  return summary.verdicts.map((v) => `${v.variant}: ${v.verdict}`).join(", ");
}

function reductionOf(summary: Summary): string {
  return percent(summary.verdicts.find((v) => v.variant === summary.winner)?.series_reduction);
}

export function ExperimentList() {
  const [phase, setPhase] = useState<Schemas["Phase"] | "">("");
  const [creating, setCreating] = useState(false);
  const list = useLoad(["experiments", phase], () => rows(phase));
  const queries = useQueryClient();
  // A burst of events (a fleet's worth) reads the list again once, half a second after the first.
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const onEvent = useCallback(() => {
    if (pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void queries.invalidateQueries({ queryKey: ["experiments"] });
    }, 500);
  }, [queries]);
  useEffect(() => () => clearTimeout(pending.current), []);
  const connection = useEventStream(onEvent);

  return (
    <section aria-labelledby="experiments-title">
      <div className="title-row">
        <h1 id="experiments-title">Experiments</h1>
        <span className={`live live-${connection}`} aria-live="polite">
          {connection === "open" ? "live" : "reconnecting…"}
        </span>
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? "Close the form" : "New experiment"}
        </button>
      </div>
      {creating && <CreateExperiment />}
      <label htmlFor="phase-filter">Phase</label>{" "}
      <select
        id="phase-filter"
        value={phase}
        onChange={(e) => setPhase(e.target.value as Schemas["Phase"] | "")}
      >
        <option value="">all</option>
        {PHASES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      {list.error ? <Failure error={list.error} retry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading what="experiments" /> : null}
      {list.data && list.data.length === 0 && (
        <p className="muted">No experiments{phase ? ` in ${phase}` : ""} yet.</p>
      )}
      {list.data && list.data.length > 0 && (
        <div className="scroll">
          <table className="experiments">
            <caption className="sr-only">Experiments, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Phase</th>
                <th scope="col">Verdicts</th>
                <th scope="col">Winner</th>
                <th scope="col">Series reduction</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((summary) => (
                <tr key={summary.experiment_id}>
                  <td>
                    <Link href={`/experiments/${summary.experiment_id}`}>{summary.name}</Link>
                  </td>
                  <td>
                    <PhaseBadge phase={summary.phase} />
                  </td>
                  <td>{verdictOf(summary)}</td>
                  <td>{summary.winner ?? "—"}</td>
                  <td>{reductionOf(summary)}</td>
                  <td>{new Date(summary.created_at).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
