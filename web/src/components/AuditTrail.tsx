// The audit trail: each event of the experiment with its actor, command, causation and correlation.
import type { LogEvent } from "../api/events";

function short(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}

export function AuditTrail({ events }: { events: LogEvent[] }) {
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit trail</h2>
      {events.length === 0 ? <p className="muted">No events received yet.</p> : null}
      <div className="scroll">
        <table className="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Event</th>
              <th scope="col">Actor</th>
              <th scope="col">At</th>
              <th scope="col">Command</th>
              <th scope="col">Caused by</th>
              <th scope="col">Correlation</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.position} data-position={e.position} data-type={e.type}>
                <td>{e.version}</td>
                <td>{e.type}</td>
                <td>{e.metadata.actor}</td>
                <td>
                  <time dateTime={e.metadata.occurred_at}>
                    {new Date(e.metadata.occurred_at).toLocaleTimeString()}
                  </time>
                </td>
                <td title={e.metadata.command_id ?? ""}>{short(e.metadata.command_id)}</td>
                <td title={e.metadata.causation_id ?? ""}>{short(e.metadata.causation_id)}</td>
                <td title={e.metadata.correlation_id ?? ""}>{short(e.metadata.correlation_id)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
