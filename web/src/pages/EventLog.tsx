// The global log as it grows: every event appended from the moment the page opened, newest
// first, with its stream, actor and correlation; filter by type or stream.
import { useCallback, useState } from "react";
import { Link } from "wouter";
import { useEventStream, type LogEvent } from "../api/events";

const KEPT = 500; // rows on screen; the log itself keeps everything

export function EventLog() {
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [filter, setFilter] = useState("");
  const onEvent = useCallback((event: LogEvent) => {
    setEvents((now) =>
      now.some((e) => e.position === event.position) ? now : [event, ...now].slice(0, KEPT),
    );
  }, []);
  const connection = useEventStream(onEvent);
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? events.filter((e) => `${e.type} ${e.stream_id}`.toLowerCase().includes(needle))
    : events;
  return (
    <section aria-labelledby="log-title">
      <div className="title-row">
        <h1 id="log-title">Event log</h1>
        <span className={`live live-${connection}`} aria-live="polite">
          {connection === "open" ? "live" : "reconnecting…"}
        </span>
      </div>
      <p className="muted">
        Every event appended since this page opened (the last {KEPT}). The whole log is at{" "}
        <code>GET /api/v1/events</code>; each experiment's page has its own trail from the start.
      </p>
      <label htmlFor="log-filter">Filter by type or stream</label>{" "}
      <input id="log-filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <div className="scroll">
        <table className="audit">
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Event</th>
              <th scope="col">Stream</th>
              <th scope="col">Actor</th>
              <th scope="col">At</th>
              <th scope="col">Correlation</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.position} data-position={e.position} data-type={e.type}>
                <td>{e.position}</td>
                <td>{e.type}</td>
                <td>
                  {e.stream_id.startsWith("experiment-") ? (
                    <Link href={`/experiments/${e.stream_id.slice("experiment-".length)}`}>
                      {e.stream_id}
                    </Link>
                  ) : (
                    e.stream_id
                  )}
                </td>
                <td>{e.metadata.actor}</td>
                <td>
                  <time dateTime={e.metadata.occurred_at}>
                    {new Date(e.metadata.occurred_at).toLocaleTimeString()}
                  </time>
                </td>
                <td title={e.metadata.correlation_id ?? ""}>
                  {e.metadata.correlation_id?.slice(0, 8) ?? "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
