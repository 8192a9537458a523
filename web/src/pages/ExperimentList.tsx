// Experiments: newest first with phase, verdict, winner and reduction; filter by phase; create one.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
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

interface Row {
  summary: Schemas["ExperimentSummary"];
  results?: Schemas["ResultsView"];
}

async function rows(phase: Schemas["Phase"] | ""): Promise<Row[]> {
  const page = await ok(
    api.GET("/api/v1/experiments", {
      params: { query: { limit: 50, ...(phase ? { phase } : {}) } },
    }),
  );
  return Promise.all(
    page.items.map(async (summary) => {
      const results = await ok(
        api.GET("/api/v1/experiments/{experiment_id}/results", {
          params: { path: { experiment_id: summary.experiment_id } },
        }),
      ).catch(() => undefined);
      return { summary, results };
    }),
  );
}

function verdictOf(results: Schemas["ResultsView"] | undefined): string {
  if (!results?.available) return "—";
  const candidates = results.variants.filter((v) => v.role !== "baseline");
  return candidates.map((v) => `${v.variant}: ${v.verdict ?? "—"}`).join(", ");
}

function reductionOf(results: Schemas["ResultsView"] | undefined): string {
  const winner = results?.variants.find((v) => v.variant === results.winner);
  return percent(winner?.measures?.series_reduction);
}

export function ExperimentList() {
  const [phase, setPhase] = useState<Schemas["Phase"] | "">("");
  const [creating, setCreating] = useState(false);
  const list = useLoad(["experiments", phase], () => rows(phase));
  const queries = useQueryClient();
  const onEvent = useCallback(
    () => void queries.invalidateQueries({ queryKey: ["experiments"] }),
    [queries],
  );
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
              {list.data.map(({ summary, results }) => (
                <tr key={summary.experiment_id}>
                  <td>
                    <Link href={`/experiments/${summary.experiment_id}`}>{summary.name}</Link>
                  </td>
                  <td>
                    <PhaseBadge phase={summary.phase} />
                  </td>
                  <td>{verdictOf(results)}</td>
                  <td>{summary.winner ?? "—"}</td>
                  <td>{reductionOf(results)}</td>
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
