// The pipeline builder: a collector config as a graph (receivers → processors → exporters), a
// form per component, YAML import and export, live validation through the API with each problem
// on its node, and an estimate on simulated hosts before anything is deployed.
import { Background, Controls, Position, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useState } from "react";
import { api, describe, ok, type Schemas } from "../api/client";
import { useLoad } from "../api/useLoad";
import {
  addComponent,
  body,
  componentOfPath,
  fromYaml,
  moveProcessor,
  pipelines,
  removeComponent,
  sectionOf,
  setBody,
  toYaml,
  type Doc,
  type Part,
} from "../builder/model";
import { Settings, type Spec } from "../builder/Settings";
import { RegisterPipeline } from "../components/RegisterPipeline";
import { Failure, Loading, percent } from "../components/Status";

const PARTS: Part[] = ["receivers", "processors", "exporters"];
const STARTER = "process-aggregated-v1";

interface Selected {
  pipeline: string;
  part: Part;
  id: string;
}

type Problem = Schemas["ConfigProblem"];

function nodeKey(pipeline: string, part: Part, id: string): string {
  return `${pipeline}|${part}|${id}`;
}

function problemsByNode(
  doc: Doc,
  problems: Problem[],
): { byNode: Map<string, Problem[]>; loose: Problem[] } {
  const byNode = new Map<string, Problem[]>();
  const loose: Problem[] = [];
  const all = pipelines(doc);
  for (const problem of problems) {
    const where = componentOfPath(doc, problem.path);
    const keys: string[] = [];
    if (where && "section" in where) {
      for (const [name, p] of Object.entries(all))
        for (const part of PARTS)
          if (p[part].includes(where.id) && sectionOf(doc, part, where.id) === where.section)
            keys.push(nodeKey(name, part, where.id));
    } else if (where) {
      const id = all[where.pipeline]?.[where.part][where.index];
      if (id !== undefined) keys.push(nodeKey(where.pipeline, where.part, id));
    }
    if (keys.length === 0) loose.push(problem);
    for (const key of keys) byNode.set(key, [...(byNode.get(key) ?? []), problem]);
  }
  return { byNode, loose };
}

function graph(doc: Doc, problems: Map<string, Problem[]>, selected: Selected | null) {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  // Top to bottom: receivers, each processor in order, exporters; pipelines side by side.
  Object.entries(pipelines(doc)).forEach(([name, p], lane) => {
    const left = lane * 420;
    const columns: [Part, string[], number][] = [
      ["receivers", p.receivers, 0],
      ...p.processors.map((id, i) => ["processors", [id], i + 1] as [Part, string[], number]),
      ["exporters", p.exporters, p.processors.length + 1],
    ];
    const ids: string[][] = [];
    for (const [part, list, column] of columns) {
      ids[column] = list.map((id, i) => {
        const key = nodeKey(name, part, id);
        const found = problems.get(key) ?? [];
        const isSelected =
          selected !== null && nodeKey(selected.pipeline, selected.part, selected.id) === key;
        nodes.push({
          id: key,
          position: { x: left + i * 190, y: column * 75 },
          sourcePosition: Position.Bottom,
          targetPosition: Position.Top,
          data: {
            label: (
              <span>
                <span className="node-part">{part.slice(0, -1)}</span> {id}
                {found.length > 0 && (
                  <span className="node-problems" aria-label={`${found.length} problems`}>
                    {" "}
                    ⚠ {found.length}
                  </span>
                )}
              </span>
            ),
          },
          className: `flow-node part-${part}${found.length ? " has-problems" : ""}${isSelected ? " selected-node" : ""}`,
          ariaLabel: `${part.slice(0, -1)} ${id} in pipeline ${name}${found.length ? `, ${found.length} problems` : ""}`,
          draggable: false,
          connectable: false,
        });
        return key;
      });
    }
    for (let c = 0; c < ids.length - 1; c++)
      for (const from of ids[c] ?? [])
        for (const to of ids[c + 1] ?? [])
          edges.push({ id: `${from}->${to}`, source: from, target: to });
  });
  return { nodes, edges };
}

export function Builder() {
  const components = useLoad(["config-components"], () =>
    ok(api.GET("/api/v1/configs/components")),
  );
  const templates = useLoad(["templates"], () => ok(api.GET("/api/v1/templates")));
  const starter = useLoad(["template", STARTER], () =>
    ok(api.GET("/api/v1/templates/{name}", { params: { path: { name: STARTER } } })),
  );
  const starterText = starter.data?.rendered_with_defaults ?? "";
  const [edited, setDoc] = useState<Doc | null>(null);
  const doc = useMemo(
    () => edited ?? (starterText ? fromYaml(starterText) : null),
    [edited, starterText],
  );
  const [typed, setImportText] = useState<string | null>(null);
  const importText = typed ?? starterText;
  const [importError, setImportError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Selected | null>(null);
  const [validation, setValidation] = useState<Schemas["ValidationView"] | null>(null);
  const [validationError, setValidationError] = useState<unknown>(null);
  const [estimate, setEstimate] = useState<Schemas["EstimateView"] | null>(null);
  const [estimating, setEstimating] = useState(false);
  const [estimateError, setEstimateError] = useState<unknown>(null);
  const [pipelineForAdd, setPipelineForAdd] = useState("");
  const [load, setLoad] = useState({
    profile: "realistic",
    hosts: "5",
    seconds: "300",
    critical: "^postgres$\n^mysqld$\n^redis-server$\n^mongod$\n^nginx$",
  });
  const [kindForAdd, setKindForAdd] = useState("");

  async function loadTemplate(name: string) {
    setImportError(null);
    try {
      const found = await ok(api.GET("/api/v1/templates/{name}", { params: { path: { name } } }));
      const text = found.rendered_with_defaults ?? "";
      setImportText(text);
      setDoc(fromYaml(text));
      setSelected(null);
      setEstimate(null);
    } catch (e) {
      setImportError(describe(e));
    }
  }

  const exported = useMemo(() => (doc ? toYaml(doc) : ""), [doc]);

  // Live validation: the config as exported, checked by the API a moment after each change.
  useEffect(() => {
    if (!exported) return;
    let current = true;
    const timer = setTimeout(() => {
      ok(api.POST("/api/v1/configs/validate", { body: { config: exported } })).then(
        (found) => current && (setValidation(found), setValidationError(null)),
        (e: unknown) => current && setValidationError(e),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [exported]);

  const { byNode, loose } = useMemo(
    () =>
      doc
        ? problemsByNode(doc, validation?.problems ?? [])
        : { byNode: new Map<string, Problem[]>(), loose: [] as Problem[] },
    [doc, validation],
  );
  const view = useMemo(
    () => (doc ? graph(doc, byNode, selected) : { nodes: [], edges: [] }),
    [doc, byNode, selected],
  );
  const all = doc ? pipelines(doc) : {};
  const pipelineNames = Object.keys(all);
  const addTo =
    pipelineForAdd && all[pipelineForAdd] ? pipelineForAdd : (pipelineNames[0] ?? "metrics");

  function doImport() {
    try {
      setDoc(fromYaml(importText));
      setImportError(null);
      setSelected(null);
      setEstimate(null);
    } catch (e) {
      setImportError(describe(e));
    }
  }

  async function runEstimate() {
    setEstimating(true);
    setEstimateError(null);
    try {
      setEstimate(
        await ok(
          api.POST("/api/v1/configs/estimate", {
            body: {
              config: exported,
              profile: load.profile,
              hosts: Number(load.hosts),
              duration_seconds: Number(load.seconds),
              critical_processes: load.critical
                .split("\n")
                .map((line) => line.trim())
                .filter(Boolean),
            },
          }),
        ),
      );
    } catch (e) {
      setEstimate(null);
      setEstimateError(e);
    } finally {
      setEstimating(false);
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([exported], { type: "text/yaml" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "collector.yaml";
    link.click();
    URL.revokeObjectURL(url);
  }

  if (components.error) return <Failure error={components.error} retry={components.reload} />;
  if (!components.data || !doc) return <Loading what="the builder" />;
  const kinds = components.data;
  const paletteFor = (part: Part) => kinds[part];
  const specOf = (part: Part, id: string): Spec | undefined => {
    const type = id.split("/")[0];
    const found = paletteFor(part).find(
      (k) => k.type === type || (k.aliases ?? []).includes(type ?? ""),
    );
    return found?.keys as Spec | undefined;
  };
  const section = selected ? sectionOf(doc, selected.part, selected.id) : null;
  const selectedProblems = selected
    ? (byNode.get(nodeKey(selected.pipeline, selected.part, selected.id)) ?? [])
    : [];
  const [addPart, addType] = kindForAdd.split(":") as [Part | undefined, string | undefined];

  return (
    <section aria-labelledby="builder-title" className="builder">
      <h1 id="builder-title">Pipeline builder</h1>
      <div className="builder-grid">
        <div className="canvas" aria-label="The pipelines as a graph">
          <ReactFlow
            // Drawn afresh (and fitted to the canvas) when nodes are added or removed.
            key={view.nodes.map((n) => n.id).join()}
            nodes={view.nodes}
            edges={view.edges}
            fitView
            nodesDraggable={false}
            nodesConnectable={false}
            onNodeClick={(_, node) => {
              const [pipeline, part, id] = node.id.split("|") as [string, Part, string];
              setSelected({ pipeline, part, id });
            }}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <aside className="side">
          <h2>Components</h2>
          <p className="hint">
            Choose one to edit it (the graph's nodes, or this list with the keyboard).
          </p>
          <ul className="component-list">
            {Object.entries(all).flatMap(([name, p]) =>
              PARTS.flatMap((part) =>
                p[part].map((id) => {
                  const key = nodeKey(name, part, id);
                  const count = byNode.get(key)?.length ?? 0;
                  return (
                    <li key={key}>
                      <button
                        type="button"
                        className="link"
                        aria-pressed={
                          selected !== null &&
                          key === nodeKey(selected.pipeline, selected.part, selected.id)
                        }
                        onClick={() => setSelected({ pipeline: name, part, id })}
                      >
                        {name}: {part.slice(0, -1)} {id}
                      </button>
                      {count > 0 && <span className="node-problems"> ⚠ {count}</span>}
                    </li>
                  );
                }),
              ),
            )}
          </ul>
          <h2>Add a component</h2>
          <div className="field">
            <label htmlFor="add-pipeline">To pipeline</label>
            <select
              id="add-pipeline"
              value={addTo}
              onChange={(e) => setPipelineForAdd(e.target.value)}
            >
              {pipelineNames.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="add-kind">Component</label>
            <select
              id="add-kind"
              value={kindForAdd}
              onChange={(e) => setKindForAdd(e.target.value)}
            >
              <option value="">choose…</option>
              {PARTS.map((part) => (
                <optgroup key={part} label={part}>
                  {paletteFor(part).map((k) => (
                    <option key={k.type} value={`${part}:${k.type}`}>
                      {k.type}
                      {part === "processors" && !k.evaluated ? " (not estimable)" : ""}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </div>
          <button
            type="button"
            disabled={!addPart || !addType}
            onClick={() => {
              if (!addPart || !addType) return;
              const next = addComponent(doc, addTo, addPart, addType);
              const list = pipelines(next)[addTo]?.[addPart] ?? [];
              setDoc(next);
              setSelected({ pipeline: addTo, part: addPart, id: list[list.length - 1] ?? addType });
            }}
          >
            Add
          </button>
        </aside>
      </div>
      {selected && section && (
        <section className="card" aria-labelledby="node-title">
          <h2 id="node-title">
            {selected.part.slice(0, -1)} <code>{selected.id}</code> in {selected.pipeline}
          </h2>
          {selectedProblems.length > 0 && (
            <ul className="error" aria-label="Problems of this component">
              {selectedProblems.map((p, i) => (
                <li key={i}>
                  <code>{p.path}</code>: {p.message}
                </li>
              ))}
            </ul>
          )}
          <div className="row">
            {selected.part === "processors" && (
              <>
                <button
                  type="button"
                  onClick={() => setDoc(moveProcessor(doc, selected.pipeline, selected.id, -1))}
                >
                  Move earlier
                </button>
                <button
                  type="button"
                  onClick={() => setDoc(moveProcessor(doc, selected.pipeline, selected.id, 1))}
                >
                  Move later
                </button>
              </>
            )}
            <button
              type="button"
              onClick={() => {
                setDoc(removeComponent(doc, selected.pipeline, selected.part, selected.id));
                setSelected(null);
              }}
            >
              Remove from {selected.pipeline}
            </button>
          </div>
          <Settings
            id={selected.id}
            spec={specOf(selected.part, selected.id)}
            value={body(doc, section, selected.id)}
            onChange={(value) => setDoc(setBody(doc, section, selected.id, value))}
          />
        </section>
      )}
      <section className="card" aria-labelledby="check-title">
        <h2 id="check-title">Validation and estimate</h2>
        <div aria-live="polite" role="status">
          {validationError ? <Failure error={validationError} /> : null}
          {validation && validation.valid && (
            <p className="ok">Valid: Phoenix's validator found no problem.</p>
          )}
          {validation && !validation.valid && (
            <p className="error">
              {validation.problems.length} problem{validation.problems.length === 1 ? "" : "s"}
            </p>
          )}
        </div>
        {loose.length > 0 && (
          <ul className="error" aria-label="Problems of the whole config">
            {loose.map((p, i) => (
              <li key={i}>
                <code>{p.path}</code>: {p.message}
              </li>
            ))}
          </ul>
        )}
        {validation?.not_estimable && (
          <p className="warning">Cannot be estimated: {validation.not_estimable}</p>
        )}
        <fieldset className="row">
          <legend>Simulated load</legend>
          <div className="field">
            <label htmlFor="estimate-profile">Profile</label>
            <select
              id="estimate-profile"
              value={load.profile}
              onChange={(e) => setLoad({ ...load, profile: e.target.value })}
            >
              {kinds.profiles.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="estimate-hosts">Hosts</label>
            <input
              id="estimate-hosts"
              type="number"
              min={1}
              max={100}
              value={load.hosts}
              onChange={(e) => setLoad({ ...load, hosts: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="estimate-seconds">Seconds simulated</label>
            <input
              id="estimate-seconds"
              type="number"
              min={10}
              value={load.seconds}
              onChange={(e) => setLoad({ ...load, seconds: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="estimate-critical">Critical processes (one regex per line)</label>
            <textarea
              id="estimate-critical"
              rows={3}
              value={load.critical}
              onChange={(e) => setLoad({ ...load, critical: e.target.value })}
            />
          </div>
        </fieldset>
        <button
          type="button"
          onClick={() => void runEstimate()}
          disabled={estimating || !validation?.valid || !!validation?.not_estimable}
        >
          {estimating ? "Estimating…" : "Estimate on simulated hosts"}
        </button>
        {estimateError ? <Failure error={estimateError} /> : null}
        {estimate && (
          <div className="estimate" aria-label="Estimate">
            <p className="muted">{estimate.basis}</p>
            <dl>
              <dt>Series reduction</dt>
              <dd data-testid="estimate-series">{percent(estimate.series_reduction)}</dd>
              <dt>Datapoint reduction</dt>
              <dd>{percent(estimate.datapoint_reduction)}</dd>
              <dt>Cost per month</dt>
              <dd>
                ${estimate.input_cost_per_month.toFixed(2)} → $
                {estimate.output_cost_per_month.toFixed(2)} ({percent(estimate.cost_reduction)}{" "}
                less)
              </dd>
              <dt>Critical retention</dt>
              <dd data-testid="estimate-retention">
                {estimate.critical_retention === null
                  ? "not measurable: none seen"
                  : percent(estimate.critical_retention)}{" "}
                ({estimate.critical_processes_out} of {estimate.critical_processes_in})
                {estimate.critical_lost.length > 0 && (
                  <> — loses {estimate.critical_lost.join(", ")}</>
                )}
              </dd>
            </dl>
          </div>
        )}
      </section>
      <RegisterPipeline config={exported} valid={validation?.valid ?? false} />
      <div className="row yaml">
        <section className="card" aria-labelledby="import-title">
          <h2 id="import-title">Import</h2>
          <div className="field">
            <label htmlFor="template">From a template</label>
            {templates.error ? <Failure error={templates.error} /> : null}
            <select
              id="template"
              defaultValue={STARTER}
              onChange={(e) => void loadTemplate(e.target.value)}
            >
              {(templates.data?.items ?? []).map((t) => (
                <option key={t.name}>{t.name}</option>
              ))}
            </select>
          </div>
          <label htmlFor="import-yaml">Collector config (YAML)</label>
          <textarea
            id="import-yaml"
            rows={14}
            spellCheck={false}
            value={importText}
            onChange={(e) => setImportText(e.target.value)}
          />
          {importError && (
            <p role="alert" className="error">
              {importError}
            </p>
          )}
          <button type="button" onClick={doImport}>
            Import YAML
          </button>
        </section>
        <section className="card" aria-labelledby="export-title">
          <h2 id="export-title">Export</h2>
          <label htmlFor="export-yaml">The graph as YAML</label>
          <textarea id="export-yaml" rows={14} readOnly spellCheck={false} value={exported} />
          <button type="button" onClick={download}>
            Download collector.yaml
          </button>
        </section>
      </div>
    </section>
  );
}
