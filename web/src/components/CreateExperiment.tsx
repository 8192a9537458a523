// The form that creates an experiment: templates or registered pipelines as variants, critical
// processes, success criteria and duration; the API's validation errors appear on their fields.
import { useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { api, ApiError, describe, ok } from "../api/client";
import { sendCommand } from "../api/commands";
import { useLoad } from "../api/useLoad";
import { Failure, Loading } from "./Status";

interface Choice {
  value: string; // "template:NAME" or "pipeline:NAME@VERSION"
  label: string;
}

async function choices(): Promise<Choice[]> {
  const [templates, pipelines] = await Promise.all([
    ok(api.GET("/api/v1/templates")),
    ok(api.GET("/api/v1/pipelines", {})).catch(() => ({ items: [] as unknown[] })),
  ]);
  const fromTemplates = templates.items.map((t) => ({
    value: `template:${t.name}`,
    label: `${t.name} (template)`,
  }));
  const registered = ((pipelines as { items?: unknown[] }).items ?? []) as {
    name: string;
    latest_version: number;
    deprecated?: string | null;
  }[];
  const fromPipelines = registered
    .filter((p) => !p.deprecated)
    .map((p) => ({
      value: `pipeline:${p.name}@${p.latest_version}`,
      label: `${p.name}@${p.latest_version} (registered)`,
    }));
  return [...fromTemplates, ...fromPipelines];
}

function ref(name: string, choice: string, interval: string): Record<string, unknown> {
  const [kind, what] = [
    choice.slice(0, choice.indexOf(":")),
    choice.slice(choice.indexOf(":") + 1),
  ];
  if (kind === "pipeline") return { name, pipeline: what };
  return { name, template: what, variables: interval ? { collection_interval: interval } : {} };
}

/** A variant name from a template or pipeline name: DNS-label shaped. */
export function variantName(choice: string): string {
  const what = choice.slice(choice.indexOf(":") + 1).split("@")[0] ?? "variant";
  return what
    .replace(/^process-/, "")
    .replace(/-v\d+$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 40);
}

type FieldErrors = Record<string, string>;

const FIELDS = new Set([
  "name",
  "baseline",
  "candidates",
  "critical_processes",
  "duration_seconds",
  "success_criteria.min_series_reduction",
  "success_criteria.min_cost_reduction",
  "success_criteria.max_critical_loss",
  "success_criteria.min_intervals",
]);

/** Which form field a path from the API belongs to ("candidates.0.name" → "candidates"). */
export function fieldOf(path: string): string {
  const bare = path.replace(/^data\./, "");
  const head = bare.split(/[.[]/)[0] ?? bare;
  return head === "success_criteria" ? `success_criteria.${bare.split(".")[1] ?? ""}` : head;
}

const CRITERIA: { key: string; label: string; value: string }[] = [
  { key: "min_series_reduction", label: "Minimum series reduction (0–1)", value: "0.5" },
  { key: "min_cost_reduction", label: "Minimum cost reduction (0–1)", value: "0.4" },
  { key: "max_critical_loss", label: "Largest critical loss allowed (0–1)", value: "0" },
  { key: "min_intervals", label: "Intervals needed at least", value: "5" },
];

export function CreateExperiment() {
  const options = useLoad(["variant-choices"], choices);
  const [, navigate] = useLocation();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [baseline, setBaseline] = useState("template:process-baseline-v1");
  const [candidates, setCandidates] = useState<string[]>([]);
  const [critical, setCritical] = useState("^postgres$\n^nginx$");
  const [duration, setDuration] = useState("600");
  const [interval, setInterval] = useState("10s");
  const [criteria, setCriteria] = useState(() =>
    Object.fromEntries(CRITERIA.map((c) => [c.key, c.value])),
  );
  const [start, setStart] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    const data = {
      name,
      description,
      baseline: ref("baseline", baseline, interval),
      candidates: candidates.map((c) => ref(variantName(c), c, interval)),
      duration_seconds: Number(duration),
      critical_processes: critical
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
      success_criteria: Object.fromEntries(
        Object.entries(criteria).map(([k, v]) => [k, Number(v)]),
      ),
    };
    try {
      const created = await sendCommand("CreateExperiment", data);
      if (created.status !== "accepted") {
        // A rejection after the schema (the worker's) may still name its field: put it there too.
        const reason = created.reason ?? "the command was not accepted";
        const field = fieldOf(reason);
        if (FIELDS.has(field)) setErrors({ [field]: reason });
        setFailure(reason);
        return;
      }
      const id = (created.stream_id ?? "").replace(/^experiment-/, "");
      if (start) {
        const started = await sendCommand("StartExperiment", { experiment_id: id });
        if (started.status !== "accepted")
          setFailure(`created, but not started: ${started.reason}`);
      }
      navigate(`/experiments/${id}`);
    } catch (e) {
      if (e instanceof ApiError && e.problem.errors?.length) {
        const found: FieldErrors = {};
        for (const error of e.problem.errors) {
          const field = fieldOf(error.path);
          found[field] = [found[field], `${error.path.replace(/^data\./, "")}: ${error.message}`]
            .filter(Boolean)
            .join("; ");
        }
        setErrors(found);
        setFailure(e.message);
      } else {
        setFailure(describe(e));
      }
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: string) => ({
    "aria-invalid": field in errors,
    "aria-describedby": field in errors ? `error-${field.replace(".", "-")}` : undefined,
  });
  const message = (field: string) =>
    field in errors ? (
      <span id={`error-${field.replace(".", "-")}`} className="field-error">
        {errors[field]}
      </span>
    ) : null;

  if (options.loading) return <Loading what="templates and pipelines" />;
  if (options.error) return <Failure error={options.error} retry={options.reload} />;
  const all = options.data ?? [];
  return (
    <form className="card create" onSubmit={submit} aria-labelledby="create-title" noValidate>
      <h2 id="create-title">New experiment</h2>
      <div className="field">
        <label htmlFor="x-name">Name</label>
        <input
          id="x-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          {...invalid("name")}
        />
        {message("name")}
      </div>
      <div className="field">
        <label htmlFor="x-description">Description</label>
        <input
          id="x-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="x-baseline">Baseline</label>
        <select
          id="x-baseline"
          value={baseline}
          onChange={(e) => setBaseline(e.target.value)}
          {...invalid("baseline")}
        >
          {all.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        {message("baseline")}
      </div>
      <fieldset className="field" {...invalid("candidates")}>
        <legend>Candidates</legend>
        {all
          .filter((c) => c.value !== baseline)
          .map((c) => (
            <label key={c.value} className="check">
              <input
                type="checkbox"
                checked={candidates.includes(c.value)}
                onChange={(e) =>
                  setCandidates((now) =>
                    e.target.checked ? [...now, c.value] : now.filter((x) => x !== c.value),
                  )
                }
              />{" "}
              {c.label} <span className="muted">as “{variantName(c.value)}”</span>
            </label>
          ))}
        {message("candidates")}
      </fieldset>
      <div className="field">
        <label htmlFor="x-critical">Critical processes (one RE2 regex per line)</label>
        <textarea
          id="x-critical"
          rows={3}
          value={critical}
          onChange={(e) => setCritical(e.target.value)}
          {...invalid("critical_processes")}
        />
        {message("critical_processes")}
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="x-duration">Duration (seconds)</label>
          <input
            id="x-duration"
            type="number"
            min={1}
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            {...invalid("duration_seconds")}
          />
          {message("duration_seconds")}
        </div>
        <div className="field">
          <label htmlFor="x-interval">Collection interval (templates)</label>
          <input id="x-interval" value={interval} onChange={(e) => setInterval(e.target.value)} />
        </div>
      </div>
      <fieldset className="row">
        <legend>Success criteria</legend>
        {CRITERIA.map((c) => (
          <div className="field" key={c.key}>
            <label htmlFor={`x-${c.key}`}>{c.label}</label>
            <input
              id={`x-${c.key}`}
              type="number"
              step="any"
              value={criteria[c.key]}
              onChange={(e) => setCriteria((now) => ({ ...now, [c.key]: e.target.value }))}
              {...invalid(`success_criteria.${c.key}`)}
            />
            {message(`success_criteria.${c.key}`)}
          </div>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start
        it at once
      </label>
      {failure && (
        <p role="alert" className="error">
          {failure}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Sending…" : "Create experiment"}
      </button>
    </form>
  );
}
