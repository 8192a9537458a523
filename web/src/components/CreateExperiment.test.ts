import { describe, expect, it } from "vitest";
import { fieldOf, variantName } from "./CreateExperiment";

describe("the experiment form", () => {
  it("puts each error the API names by path on the field it belongs to", () => {
    expect(fieldOf("name")).toBe("name");
    expect(fieldOf("data.duration_seconds")).toBe("duration_seconds");
    expect(fieldOf("candidates.0.name")).toBe("candidates");
    expect(fieldOf("critical_processes[3]")).toBe("critical_processes");
    expect(fieldOf("success_criteria.min_series_reduction")).toBe(
      "success_criteria.min_series_reduction",
    );
  });

  it("names a variant after its template or pipeline, DNS-label shaped", () => {
    expect(variantName("template:process-aggregated-v1")).toBe("aggregated");
    expect(variantName("pipeline:Edge_Nodes@3")).toBe("edge-nodes");
  });
});
