// A collector config as the builder edits it: the YAML document itself (its comments and every
// key the graph does not show are kept), its pipelines as receivers → processors → exporters,
// and YAML in and out.
import { Document, isSeq, parseDocument } from "yaml";

export type Section = "receivers" | "processors" | "exporters" | "connectors";
export const SECTIONS: Section[] = ["receivers", "processors", "exporters", "connectors"];
export type Part = "receivers" | "processors" | "exporters";

export interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}

/** The document as written, and its data as plain values (read-only: edit through the functions). */
export interface Doc {
  readonly yaml: Document;
  readonly data: Record<string, unknown>;
}

// Python (PyYAML) and Phoenix read YAML 1.1: `on`, `yes` are booleans there, so they are written quoted.
const YAML_VERSION = { version: "1.1" } as const;

export class ImportError extends Error {}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function wrap(yaml: Document): Doc {
  const data: unknown = yaml.toJS();
  return { yaml, data: isMap(data) ? data : {} };
}

/** The config a YAML document holds; ImportError (with the line) when it is not one. */
export function fromYaml(text: string): Doc {
  const yaml = parseDocument(text, YAML_VERSION);
  const error = yaml.errors[0];
  if (error) throw new ImportError(`invalid YAML: ${error.message}`);
  if (!isMap(yaml.toJS())) throw new ImportError("a collector config must be a YAML map");
  return wrap(yaml);
}

export function toYaml(doc: Doc): string {
  return doc.yaml.toString({ lineWidth: 0 });
}

/** A copy of the document changed by ``edit``: the one before stays as it was. */
function edited(doc: Doc, edit: (yaml: Document) => void): Doc {
  const yaml = doc.yaml.clone();
  edit(yaml);
  return wrap(yaml);
}

export function pipelines(doc: Doc): Record<string, Pipeline> {
  const service = isMap(doc.data.service) ? doc.data.service : {};
  const found = isMap(service.pipelines) ? service.pipelines : {};
  const out: Record<string, Pipeline> = {};
  for (const [name, body] of Object.entries(found)) {
    const p = isMap(body) ? body : {};
    const list = (key: string) => (Array.isArray(p[key]) ? (p[key] as unknown[]).map(String) : []);
    out[name] = {
      receivers: list("receivers"),
      processors: list("processors"),
      exporters: list("exporters"),
    };
  }
  return out;
}

/** Where a component id is defined in the document (connectors act as receivers and exporters). */
export function sectionOf(doc: Doc, part: Part, id: string): Section {
  const own = doc.data[part];
  if (isMap(own) && id in own) return part;
  const connectors = doc.data.connectors;
  if (part !== "processors" && isMap(connectors) && id in connectors) return "connectors";
  return part;
}

export function body(doc: Doc, section: Section, id: string): unknown {
  const map = doc.data[section];
  return isMap(map) ? map[id] : undefined;
}

const listPath = (pipeline: string, part: Part) => ["service", "pipelines", pipeline, part];

/** A copy with one component's settings replaced. */
export function setBody(doc: Doc, section: Section, id: string, value: unknown): Doc {
  return edited(doc, (yaml) => yaml.setIn([section, id], value));
}

/** A free id for a new component of a type: `type/2`, `type/3`, … when `type` is taken. */
export function freeId(doc: Doc, section: Section, type: string): string {
  const taken = isMap(doc.data[section]) ? (doc.data[section] as Record<string, unknown>) : {};
  if (!(type in taken)) return type;
  for (let n = 2; ; n++) if (!(`${type}/${n}` in taken)) return `${type}/${n}`;
}

/** A copy with a new component of ``type`` at the end of one part of a pipeline. */
export function addComponent(
  doc: Doc,
  pipeline: string,
  part: Part,
  type: string,
  settings: unknown = {},
): Doc {
  const id = freeId(doc, part, type);
  return edited(doc, (yaml) => {
    yaml.setIn([part, id], settings);
    const path = listPath(pipeline, part);
    if (isSeq(yaml.getIn(path, true))) yaml.addIn(path, id);
    else yaml.setIn(path, [id]);
  });
}

function usedAnywhere(doc: Doc, part: Part, id: string): boolean {
  return Object.values(pipelines(doc)).some((p) => p[part].includes(id));
}

/** A copy without the component in that pipeline (and without its settings if no pipeline uses it). */
export function removeComponent(doc: Doc, pipeline: string, part: Part, id: string): Doc {
  const at = pipelines(doc)[pipeline]?.[part].indexOf(id) ?? -1;
  if (at < 0) return doc;
  const section = sectionOf(doc, part, id);
  const without = edited(doc, (yaml) => yaml.deleteIn([...listPath(pipeline, part), at]));
  return usedAnywhere(without, part, id)
    ? without
    : edited(without, (yaml) => yaml.deleteIn([section, id]));
}

/** A copy with a processor moved one place earlier (-1) or later (+1) in its pipeline. */
export function moveProcessor(doc: Doc, pipeline: string, id: string, by: -1 | 1): Doc {
  const list = (pipelines(doc)[pipeline]?.processors ?? []).slice();
  const at = list.indexOf(id);
  const to = at + by;
  if (at < 0 || to < 0 || to >= list.length) return doc;
  [list[at], list[to]] = [list[to] as string, list[at] as string];
  return edited(doc, (yaml) => {
    const seq = yaml.getIn(listPath(pipeline, "processors"), true);
    if (!isSeq(seq)) return;
    const [a, b] = [seq.items[at], seq.items[to]];
    seq.items[at] = b;
    seq.items[to] = a;
  });
}

/** Which component a validator path is about: `processors.filter/x.metrics` → processors, filter/x. */
export function componentOfPath(
  doc: Doc,
  path: string,
): { section: Section; id: string } | { pipeline: string; part: Part; index: number } | null {
  for (const section of SECTIONS) {
    const map = doc.data[section];
    if (!path.startsWith(`${section}.`) || !isMap(map)) continue;
    const rest = path.slice(section.length + 1);
    // Ids may hold dots or slashes: the longest id that prefixes the rest is the one.
    const id = Object.keys(map)
      .filter((k) => rest === k || rest.startsWith(`${k}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (id) return { section, id };
  }
  const match = /^service\.pipelines\.([^.]+)\.(receivers|processors|exporters)\[(\d+)\]/.exec(
    path,
  );
  if (match)
    return { pipeline: match[1] as string, part: match[2] as Part, index: Number(match[3]) };
  return null;
}
