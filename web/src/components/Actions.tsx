// What can be done to an experiment now: start it, cancel it (with a reason), promote a variant
// (against the verdict only with an override and its reason).
import { useState, type FormEvent } from "react";
import type { Schemas } from "../api/client";
import { describe } from "../api/client";
import { sendCommand } from "../api/commands";

const TERMINAL = new Set(["Completed", "Failed", "Cancelled"]);

interface Props {
  experiment: Schemas["ExperimentView"];
  results: Schemas["ResultsView"] | undefined;
}

export function Actions({ experiment, results }: Props) {
  const id = experiment.experiment_id;
  const [mode, setMode] = useState<"none" | "cancel" | "promote">("none");
  const [reason, setReason] = useState("");
  const candidates = (results?.variants ?? []).filter((v) => v.role !== "baseline");
  const [variant, setVariant] = useState(results?.winner ?? candidates[0]?.variant ?? "");
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = candidates.find((c) => c.variant === (variant || results?.winner));
  const override = chosen !== undefined && chosen.verdict !== "promote";

  async function send(type: string, data: Record<string, unknown>, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await sendCommand(type, { experiment_id: id, ...data });
      if (outcome.status === "accepted") {
        setMessage({ text: done, error: false });
        setMode("none");
        setReason("");
      } else {
        setMessage({ text: `${type} ${outcome.status}: ${outcome.reason ?? ""}`, error: true });
      }
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    } finally {
      setBusy(false);
    }
  }

  function promote(event: FormEvent) {
    event.preventDefault();
    const name = chosen?.variant ?? "";
    void send(
      "PromoteVariant",
      override ? { variant: name, override: true, override_reason: reason } : { variant: name },
      `Promotion of ${name} requested`,
    );
  }

  function cancel(event: FormEvent) {
    event.preventDefault();
    void send("CancelExperiment", { reason }, "Cancellation requested");
  }

  const promotable =
    experiment.phase === "Completed" && !experiment.promoted_variant && candidates.length > 0;
  return (
    <div className="actions">
      {experiment.phase === "Pending" && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void send("StartExperiment", {}, "Start requested")}
        >
          Start
        </button>
      )}
      {!TERMINAL.has(experiment.phase) && (
        <button
          type="button"
          disabled={busy}
          aria-expanded={mode === "cancel"}
          onClick={() => setMode(mode === "cancel" ? "none" : "cancel")}
        >
          Cancel…
        </button>
      )}
      {promotable && (
        <button
          type="button"
          disabled={busy}
          aria-expanded={mode === "promote"}
          onClick={() => setMode(mode === "promote" ? "none" : "promote")}
        >
          Promote…
        </button>
      )}
      {experiment.promotion_commit && (
        <p>
          Promoted <strong>{experiment.promoted_variant}</strong> in commit{" "}
          <code>{experiment.promotion_commit}</code>
        </p>
      )}
      {mode === "cancel" && (
        <form className="card" onSubmit={cancel} aria-label="Cancel the experiment">
          <label htmlFor="cancel-reason">Why cancel it?</label>
          <input
            id="cancel-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
          />
          <button type="submit" disabled={busy || !reason.trim()}>
            Cancel the experiment
          </button>
        </form>
      )}
      {mode === "promote" && (
        <form className="card" onSubmit={promote} aria-label="Promote a variant">
          <label htmlFor="promote-variant">Variant</label>
          <select
            id="promote-variant"
            value={chosen?.variant ?? ""}
            onChange={(e) => setVariant(e.target.value)}
          >
            {candidates.map((c) => (
              <option key={c.variant} value={c.variant}>
                {c.variant} ({c.verdict ?? "no verdict"})
              </option>
            ))}
          </select>
          {override && (
            <>
              <p className="warning">
                {chosen?.variant}’s verdict is {chosen?.verdict ?? "none"}: promoting it overrides
                the analysis (admins only), and the reason is recorded.
              </p>
              <label htmlFor="override-reason">Reason for the override</label>
              <input
                id="override-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                required
              />
            </>
          )}
          <button type="submit" disabled={busy || (override && !reason.trim())}>
            Promote {chosen?.variant}
          </button>
        </form>
      )}
      {message && (
        <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "ok"}>
          {message.text}
        </p>
      )}
    </div>
  );
}
