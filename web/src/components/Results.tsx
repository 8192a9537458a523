// The results table: every variant's figures beside the baseline's, its verdict and the reasons.
import type { Schemas } from "../api/client";
import { percent } from "./Status";

type Variant = Schemas["VariantResultView"];

function number(value: number | undefined, digits = 0): string {
  return value === undefined
    ? "—"
    : value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

function retention(v: Variant): string {
  const m = v.measures ?? {};
  if (m.critical_retention === undefined) return "—";
  const parts = [`${percent(m.critical_retention)}`];
  if (m.critical_kept !== undefined) parts.push(`${m.critical_kept} kept`);
  if (m.critical_lost) parts.push(`${m.critical_lost} lost`);
  if (m.critical_set_aside) parts.push(`${m.critical_set_aside} set aside`);
  return parts.join(", ");
}

export function Results({ results }: { results: Schemas["ResultsView"] }) {
  if (!results.available) {
    return (
      <section aria-labelledby="results-title">
        <h2 id="results-title">Results</h2>
        <p className="muted">Not analysed yet: the verdicts come when the window has closed.</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">Results</h2>
      {results.winner && (
        <p>
          Winner: <strong>{results.winner}</strong>
        </p>
      )}
      <div className="scroll">
        <table className="results">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Verdict</th>
              <th scope="col">Series</th>
              <th scope="col">Datapoints/min</th>
              <th scope="col">Series reduction</th>
              <th scope="col">Datapoint reduction</th>
              <th scope="col">Cost/month</th>
              <th scope="col">Cost reduction</th>
              <th scope="col">Critical retention</th>
              <th scope="col">Collector CPU</th>
              <th scope="col">Collector memory</th>
            </tr>
          </thead>
          <tbody>
            {results.variants.map((v) => {
              const m = v.measures ?? {};
              return (
                <tr key={v.variant} data-variant={v.variant}>
                  <th scope="row">
                    {v.variant} <span className="muted">({v.role})</span>
                  </th>
                  <td className={`verdict verdict-${v.verdict ?? "none"}`}>
                    {v.verdict ?? (v.role === "baseline" ? "baseline" : "—")}
                  </td>
                  <td>{number(m.series)}</td>
                  <td>{number(m.datapoints_per_minute)}</td>
                  <td>{percent(m.series_reduction)}</td>
                  <td>{percent(m.datapoint_reduction)}</td>
                  <td>
                    {m.cost_per_month === undefined ? "—" : `$${number(m.cost_per_month, 2)}`}
                  </td>
                  <td>{percent(m.cost_reduction)}</td>
                  <td>{retention(v)}</td>
                  <td>
                    {m.collector_cpu_cores === undefined
                      ? "—"
                      : `${number(m.collector_cpu_cores, 3)} cores`}
                  </td>
                  <td>
                    {m.collector_memory_mib === undefined
                      ? "—"
                      : `${number(m.collector_memory_mib, 1)} MiB`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3>Why</h3>
      {results.variants
        .filter((v) => v.reasons?.length)
        .map((v) => (
          <div key={v.variant} className="reasons" data-variant={v.variant}>
            <h4>
              {v.variant}: <span className={`verdict verdict-${v.verdict}`}>{v.verdict}</span>
            </h4>
            <ul>
              {(v.reasons ?? []).map((reason, i) => (
                <li key={i}>{reason}</li>
              ))}
            </ul>
          </div>
        ))}
    </section>
  );
}
