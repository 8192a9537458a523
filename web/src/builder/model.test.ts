import { describe, expect, it } from "vitest";
import {
  addComponent,
  componentOfPath,
  fromYaml,
  ImportError,
  moveProcessor,
  pipelines,
  removeComponent,
  setBody,
  toYaml,
} from "./model";

const CONFIG = `
extensions:
  health_check: {endpoint: "127.0.0.1:13133"}
receivers:
  hostmetrics:
    collection_interval: 10s
    scrapers: {process: {mute_process_all_errors: true}}
processors:
  filter/drop:
    error_mode: ignore
    metrics:
      datapoint: ['resource.attributes["process.executable.name"] == "sleep"']
  batch:
  transform/flag:
    metric_statements:
      - context: resource
        statements: ['set(attributes["on"], "yes")']
exporters:
  otlphttp/phoenix: {endpoint: "http://127.0.0.1:4318", headers: {x-phoenix-variant: "on"}}
connectors: {}
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [filter/drop, batch, transform/flag]
      exporters: [otlphttp/phoenix]
`;

describe("a collector config in the builder", () => {
  it("comes back out of export exactly as it went in, nulls and YAML 1.1 look-alikes included", () => {
    const doc = fromYaml(CONFIG);
    const again = fromYaml(toYaml(doc));
    expect(again.data).toEqual(doc.data);
    expect(toYaml(doc)).toContain('"on"');
    expect(again.data.processors).toHaveProperty("batch", null);
  });

  it("keeps the document's comments through edits", () => {
    const commented = CONFIG.replace("  batch:\n", "  # batches before export\n  batch:\n");
    const doc = addComponent(fromYaml(commented), "metrics", "processors", "groupbyattrs");
    expect(toYaml(moveProcessor(doc, "metrics", "batch", -1))).toContain("# batches before export");
  });

  it("shows each pipeline as its receivers, processors in order, and exporters", () => {
    expect(pipelines(fromYaml(CONFIG))).toEqual({
      metrics: {
        receivers: ["hostmetrics"],
        processors: ["filter/drop", "batch", "transform/flag"],
        exporters: ["otlphttp/phoenix"],
      },
    });
  });

  it("adds a processor under a free id at the end of the pipeline", () => {
    const doc = addComponent(
      addComponent(fromYaml(CONFIG), "metrics", "processors", "groupbyattrs"),
      "metrics",
      "processors",
      "groupbyattrs",
    );
    expect(pipelines(doc).metrics?.processors.slice(-2)).toEqual([
      "groupbyattrs",
      "groupbyattrs/2",
    ]);
    expect(doc.data.processors).toHaveProperty("groupbyattrs/2", {});
  });

  it("removes a component from a pipeline and its settings once nothing uses them", () => {
    const doc = removeComponent(fromYaml(CONFIG), "metrics", "processors", "filter/drop");
    expect(pipelines(doc).metrics?.processors).toEqual(["batch", "transform/flag"]);
    expect(doc.data.processors).not.toHaveProperty("filter/drop");
  });

  it("moves a processor within its pipeline and not past either end", () => {
    const doc = fromYaml(CONFIG);
    expect(pipelines(moveProcessor(doc, "metrics", "batch", -1)).metrics?.processors).toEqual([
      "batch",
      "filter/drop",
      "transform/flag",
    ]);
    expect(moveProcessor(doc, "metrics", "transform/flag", 1)).toBe(doc);
  });

  it("changes one component's settings without touching the document it came from", () => {
    const doc = fromYaml(CONFIG);
    const changed = setBody(doc, "processors", "batch", { timeout: "5s" });
    expect(changed.data.processors).toHaveProperty("batch", { timeout: "5s" });
    expect(doc.data.processors).toHaveProperty("batch", null);
  });

  it("finds the component a validator's path names, ids with slashes and dots included", () => {
    const doc = fromYaml(CONFIG);
    expect(componentOfPath(doc, "processors.filter/drop.metrics.datapoint[0]")).toEqual({
      section: "processors",
      id: "filter/drop",
    });
    expect(componentOfPath(doc, "service.pipelines.metrics.processors[2]")).toEqual({
      pipeline: "metrics",
      part: "processors",
      index: 2,
    });
    expect(componentOfPath(doc, "service")).toBeNull();
  });

  it("refuses what is not a YAML map, saying why", () => {
    expect(() => fromYaml("- a list")).toThrow(ImportError);
    expect(() => fromYaml("a: [unclosed")).toThrow(/invalid YAML/);
  });
});
