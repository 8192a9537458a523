// A collector config as the builder edits it: the whole document kept (nothing it does not show
// is lost), its pipelines as receivers → processors → exporters, and YAML in and out.
import { parse, stringify } from "yaml";

export type Section = "receivers" | "processors" | "exporters" | "connectors";
export const SECTIONS: Section[] = ["receivers", "processors", "exporters", "connectors"];
export type Part = "receivers" | "processors" | "exporters";

export interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export type Doc = Record<string, unknown>;

// Python (PyYAML) and Phoenix read YAML 1.1: `on`, `yes` are booleans there, so they are written quoted.
const YAML_VERSION = { version: "1.1" } as const;

export class ImportError extends Error {}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The config a YAML document holds; ImportError (with the line) when it is not one. */
export function fromYaml(text: string): Doc {
  let doc: unknown;
  try {
    doc = parse(text, YAML_VERSION);
  } catch (e) {
    throw new ImportError(`invalid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isMap(doc)) throw new ImportError("a collector config must be a YAML map");
  return doc;
}

export function toYaml(doc: Doc): string {
  return stringify(doc, { ...YAML_VERSION, lineWidth: 0 });
}

export function pipelines(doc: Doc): Record<string, Pipeline> {
  const service = isMap(doc.service) ? doc.service : {};
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
  const own = doc[part];
  if (isMap(own) && id in own) return part;
  const connectors = doc.connectors;
  if (part !== "processors" && isMap(connectors) && id in connectors) return "connectors";
  return part;
}

export function body(doc: Doc, section: Section, id: string): unknown {
  const map = doc[section];
  return isMap(map) ? map[id] : undefined;
}

function clone(doc: Doc): Doc {
  return structuredClone(doc);
}

function pipelineMap(doc: Doc, name: string): Record<string, unknown> {
  if (!isMap(doc.service)) doc.service = {};
  const service = doc.service as Record<string, unknown>;
  if (!isMap(service.pipelines)) service.pipelines = {};
  const all = service.pipelines as Record<string, unknown>;
  if (!isMap(all[name])) all[name] = {};
  return all[name] as Record<string, unknown>;
}

/** A copy with one component's settings replaced. */
export function setBody(doc: Doc, section: Section, id: string, value: unknown): Doc {
  const next = clone(doc);
  if (!isMap(next[section])) next[section] = {};
  (next[section] as Record<string, unknown>)[id] = value;
  return next;
}

/** A free id for a new component of a type: `type/2`, `type/3`, … when `type` is taken. */
export function freeId(doc: Doc, section: Section, type: string): string {
  const taken = isMap(doc[section]) ? (doc[section] as Record<string, unknown>) : {};
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
  const next = clone(doc);
  const id = freeId(next, part, type);
  if (!isMap(next[part])) next[part] = {};
  (next[part] as Record<string, unknown>)[id] = settings;
  const p = pipelineMap(next, pipeline);
  p[part] = [...(Array.isArray(p[part]) ? (p[part] as unknown[]) : []), id];
  return next;
}

function usedAnywhere(doc: Doc, part: Part, id: string): boolean {
  return Object.values(pipelines(doc)).some((p) => p[part].includes(id));
}

/** A copy without the component in that pipeline (and without its settings if no pipeline uses it). */
export function removeComponent(doc: Doc, pipeline: string, part: Part, id: string): Doc {
  const next = clone(doc);
  const p = pipelineMap(next, pipeline);
  p[part] = (Array.isArray(p[part]) ? (p[part] as unknown[]) : []).filter((x) => x !== id);
  const section = sectionOf(next, part, id);
  if (!usedAnywhere(next, part, id) && isMap(next[section])) {
    delete (next[section] as Record<string, unknown>)[id];
  }
  return next;
}

/** A copy with a processor moved one place earlier (-1) or later (+1) in its pipeline. */
export function moveProcessor(doc: Doc, pipeline: string, id: string, by: -1 | 1): Doc {
  const next = clone(doc);
  const p = pipelineMap(next, pipeline);
  const list = (Array.isArray(p.processors) ? (p.processors as string[]) : []).slice();
  const at = list.indexOf(id);
  const to = at + by;
  if (at < 0 || to < 0 || to >= list.length) return doc;
  [list[at], list[to]] = [list[to] as string, list[at] as string];
  p.processors = list;
  return next;
}

/** Which component a validator path is about: `processors.filter/x.metrics` → processors, filter/x. */
export function componentOfPath(
  doc: Doc,
  path: string,
): { section: Section; id: string } | { pipeline: string; part: Part; index: number } | null {
  for (const section of SECTIONS) {
    const map = doc[section];
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
