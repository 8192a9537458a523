import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Settings } from "./Settings";

const GROUPBYATTRS = { keys: "list" };
const BATCH = { timeout: "str", send_batch_size: "int" };

describe("a component's settings form", () => {
  it("has a labelled field per key the validator knows, and writes what is typed into the config", () => {
    const onChange = vi.fn();
    render(<Settings id="batch" spec={BATCH} value={{ timeout: "1s" }} onChange={onChange} />);
    const timeout = screen.getByLabelText(/timeout/) as HTMLInputElement;
    expect(timeout.value).toBe("1s");
    fireEvent.change(screen.getByLabelText(/send_batch_size/), { target: { value: "512" } });
    expect(onChange).toHaveBeenLastCalledWith({ timeout: "1s", send_batch_size: 512 });
  });

  it("edits lists as YAML and keeps the old value while the YAML does not parse", () => {
    const onChange = vi.fn();
    render(
      <Settings
        id="groupbyattrs/compact"
        spec={GROUPBYATTRS}
        value={{ keys: ["host.name"] }}
        onChange={onChange}
      />,
    );
    const keys = screen.getByLabelText(/keys/);
    fireEvent.change(keys, { target: { value: "- host.name\n- service.name" } });
    expect(onChange).toHaveBeenLastCalledWith({ keys: ["host.name", "service.name"] });
    onChange.mockClear();
    fireEvent.change(keys, { target: { value: "[unclosed" } });
    expect(onChange).not.toHaveBeenCalled();
    expect(keys.getAttribute("aria-invalid")).toBe("true");
  });

  it("keeps keys it has no field for editable as YAML", () => {
    render(
      <Settings
        id="batch"
        spec={BATCH}
        value={{ timeout: "1s", metadata_keys: ["a"] }}
        onChange={() => {}}
      />,
    );
    expect((screen.getByLabelText("Other keys (YAML)") as HTMLTextAreaElement).value).toContain(
      "metadata_keys",
    );
  });
});
