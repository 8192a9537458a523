// The settings form of one component: a field per key it accepts (as Phoenix's validator knows
// them), text and numbers as inputs, switches as checkboxes, lists and maps as YAML.
import { useState } from "react";
import { parse, stringify } from "yaml";
import { isMap } from "./model";

export type Spec = string | { [key: string]: Spec };

/** A copy of a map with one key set, or removed when its value is undefined. */
function withKey(
  map: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const next = { ...map };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

function sameValue(text: string, value: unknown): boolean {
  try {
    const parsed: unknown = text.trim() ? parse(text, { version: "1.1" }) : undefined;
    return JSON.stringify(parsed) === JSON.stringify(value);
  } catch {
    return false;
  }
}

interface FieldProps {
  path: string;
  spec: Spec;
  value: unknown;
  onChange: (value: unknown) => void;
}

function YamlField({ path, value, onChange }: Omit<FieldProps, "spec">) {
  const shown =
    value === undefined ? "" : stringify(value, { version: "1.1", lineWidth: 0 }).trimEnd();
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  // A change from elsewhere (another node chosen, an import) replaces the text; one typed here
  // (the same value, written however the user wrote it) leaves it alone.
  const [was, setWas] = useState(shown);
  if (shown !== was) {
    setWas(shown);
    if (!sameValue(text, value)) setText(shown);
  }
  const id = `setting-${path}`;
  return (
    <>
      <textarea
        id={id}
        rows={Math.min(12, Math.max(2, text.split("\n").length))}
        value={text}
        spellCheck={false}
        aria-invalid={error !== null}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(parse(e.target.value, { version: "1.1" }));
            setError(null);
          } catch (err) {
            setError(
              err instanceof Error
                ? (err.message.split("\n")[0] ?? "invalid YAML")
                : "invalid YAML",
            );
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </>
  );
}

function Field({ path, spec, value, onChange }: FieldProps) {
  const id = `setting-${path}`;
  const name = path.split(".").pop() ?? path;
  if (isMap(spec)) {
    const current = isMap(value) ? value : {};
    return (
      <fieldset className="nested">
        <legend>{name}</legend>
        {Object.entries(spec).map(([key, inner]) => (
          <Field
            key={key}
            path={`${path}.${key}`}
            spec={inner}
            value={current[key]}
            onChange={(v) => {
              const next = withKey(current, key, v);
              onChange(Object.keys(next).length ? next : undefined);
            }}
          />
        ))}
      </fieldset>
    );
  }
  let input;
  if (spec === "bool") {
    input = (
      <select
        id={id}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value === "true")}
      >
        <option value="">(default)</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (spec === "int" || spec === "num") {
    input = (
      <input
        id={id}
        type="number"
        step={spec === "int" ? 1 : "any"}
        value={typeof value === "number" ? value : ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  } else if (spec === "str" && (value === undefined || typeof value === "string")) {
    input = (
      <input
        id={id}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
      />
    );
  } else {
    input = <YamlField path={path} value={value} onChange={onChange} />;
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {name} <span className="muted">({typeof spec === "string" ? spec : "map"})</span>
      </label>
      {input}
    </div>
  );
}

interface Props {
  id: string;
  spec: Spec | undefined;
  value: unknown;
  onChange: (value: unknown) => void;
}

/** The form of component ``id``; keys the spec does not know stay editable as YAML. */
export function Settings({ id, spec, value, onChange }: Props) {
  const current = isMap(value) ? value : {};
  const known = isMap(spec) ? spec : {};
  const unknown = Object.fromEntries(Object.entries(current).filter(([k]) => !(k in known)));
  return (
    <form
      className="settings"
      aria-label={`Settings of ${id}`}
      onSubmit={(e) => e.preventDefault()}
    >
      {Object.entries(known).map(([key, inner]) => (
        <Field
          key={`${id}.${key}`}
          path={`${id}.${key}`}
          spec={inner}
          value={current[key]}
          onChange={(v) => onChange(withKey(current, key, v))}
        />
      ))}
      {(!isMap(spec) || Object.keys(unknown).length > 0) && (
        <div className="field">
          <label htmlFor={`setting-${id}.other`}>
            {isMap(spec) ? "Other keys (YAML)" : "Settings (YAML)"}
          </label>
          <YamlField
            path={`${id}.other`}
            value={isMap(spec) ? unknown : value}
            onChange={(v) => {
              if (!isMap(spec)) return onChange(v);
              const kept = Object.fromEntries(Object.entries(current).filter(([k]) => k in known));
              onChange({ ...kept, ...(isMap(v) ? v : {}) });
            }}
          />
        </div>
      )}
    </form>
  );
}
