// One experiment, live: phase timeline, per-interval charts, results and reasons, promotion, and
// the audit trail, all refreshed from the experiment's event stream without reloading.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, ok, type Schemas } from "../api/client";
import { useEventStream, type LogEvent } from "../api/events";
import { behind } from "../api/behind";
import { useLoad } from "../api/useLoad";
import { Actions } from "../components/Actions";
import { AuditTrail } from "../components/AuditTrail";
import { Chart, type Line } from "../components/Chart";
import { Results } from "../components/Results";
import { Failure, Loading, PhaseBadge } from "../components/Status";

const LIVE_PHASES = new Set(["Running", "Analyzing", "Deploying", "Initializing"]);

function useMeasurements(id: string, live: boolean, version: number) {
  const [found, setFound] = useState<Schemas["MeasurementsView"]>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const next = await ok(
          api.GET("/api/v1/experiments/{experiment_id}/measurements", {
            params: { path: { experiment_id: id } },
          }),
        );
        if (!stop) setFound(next);
        if (!stop && live) {
          const every = Math.min(5, Math.max(1, next.interval_seconds ?? 2));
          timer = setTimeout(poll, every * 1000);
        }
      } catch {
        if (!stop && live) timer = setTimeout(poll, 3000);
      }
    }
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [id, live, version]);
  return found;
}

function chartOf(found: Schemas["MeasurementsView"] | undefined, pick: "series" | "datapoints") {
  if (!found?.started_at || !found.interval_seconds)
    return { times: [] as number[], lines: [] as Line[] };
  const start = Date.parse(found.started_at) / 1000;
  const length = Math.max(0, ...found.variants.map((v) => v[pick].length));
  const times = Array.from({ length }, (_, i) => start + (i + 1) * (found.interval_seconds ?? 0));
  const lines = found.variants.map((v) => ({ label: v.name, values: v[pick] }));
  return { times, lines };
}

export function ExperimentPage({ id }: { id: string }) {
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [version, setVersion] = useState(0);
  const queries = useQueryClient();
  const experiment = useLoad(["experiment", id, "view"], () =>
    ok(api.GET("/api/v1/experiments/{experiment_id}", { params: { path: { experiment_id: id } } })),
  );
  const results = useLoad(["experiment", id, "results"], () =>
    ok(
      api.GET("/api/v1/experiments/{experiment_id}/results", {
        params: { path: { experiment_id: id } },
      }),
    ),
  );
  // The read model may trail the log a moment: read it again shortly after each event too.
  const settle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const onEvent = useCallback(
    (event: LogEvent) => {
      setEvents((now) => (now.some((e) => e.position === event.position) ? now : [...now, event]));
      const refresh = () => {
        void queries.invalidateQueries({ queryKey: ["experiment", id] });
        setVersion((v) => v + 1);
      };
      refresh();
      clearTimeout(settle.current);
      settle.current = setTimeout(refresh, 750);
    },
    [queries, id],
  );
  useEffect(() => () => clearTimeout(settle.current), []);
  // Until the read models have caught up with the events seen, read them again every 250 ms.
  const stale = behind(experiment.data, results.data, events);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!stale) return;
    const again = setTimeout(() => {
      void queries.invalidateQueries({ queryKey: ["experiment", id] });
      setTick((t) => t + 1);
    }, 250);
    return () => clearTimeout(again);
  }, [stale, queries, id, tick]);
  const connection = useEventStream(onEvent, { stream: `experiment-${id}` });

  const x = experiment.data;
  const phase = x?.phase ?? "";
  const measured = useMeasurements(id, LIVE_PHASES.has(phase), version);
  const series = useMemo(() => chartOf(measured, "series"), [measured]);
  const points = useMemo(() => chartOf(measured, "datapoints"), [measured]);

  if (experiment.error) return <Failure error={experiment.error} retry={experiment.reload} />;
  if (!x) return <Loading what="the experiment" />;
  const r = results.data;
  return (
    <article aria-labelledby="experiment-title">
      <div className="title-row">
        <h1 id="experiment-title">{x.name}</h1>
        <PhaseBadge phase={x.phase} />
        <span className={`live live-${connection}`} aria-live="polite">
          {connection === "open" ? "live" : "reconnecting…"}
        </span>
      </div>
      {x.description && <p>{x.description}</p>}
      {x.reason && (
        <p className="error" role="status">
          {x.reason}
        </p>
      )}
      <Actions experiment={x} results={r} />
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Phases</h2>
        <ol className="timeline">
          {x.phase_history.map((p) => (
            <li key={p.version} data-phase={p.phase}>
              <PhaseBadge phase={p.phase} />{" "}
              <time dateTime={p.at}>{new Date(p.at).toLocaleTimeString()}</time>
            </li>
          ))}
        </ol>
        {x.window_ends_at && (
          <p className="muted">
            Observation window ends{" "}
            <time dateTime={x.window_ends_at}>
              {new Date(x.window_ends_at).toLocaleTimeString()}
            </time>
            {measured
              ? ` · ${Math.max(0, ...measured.variants.map((v) => v.series.length))} of ${measured.of} intervals measured`
              : ""}
          </p>
        )}
      </section>
      <section aria-labelledby="charts-title">
        <h2 id="charts-title">Per interval</h2>
        {series.times.length === 0 ? (
          <p className="muted">No interval has ended yet: the charts fill in as the window runs.</p>
        ) : null}
        <div className="charts">
          <Chart title="Distinct series" unit="series" times={series.times} lines={series.lines} />
          <Chart title="Datapoints" unit="points" times={points.times} lines={points.lines} />
        </div>
      </section>
      {results.error ? <Failure error={results.error} retry={results.reload} /> : null}
      {r && <Results results={r} />}
      <AuditTrail events={events} />
    </article>
  );
}
