// Register what the builder made as a pipeline of Phoenix's registry (RegisterPipeline), so an
// experiment can run it; a config Phoenix refuses says why.
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { describe } from "../api/client";
import { sendCommand } from "../api/commands";

export function RegisterPipeline({ config, valid }: { config: string; valid: boolean }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const queries = useQueryClient();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await sendCommand("RegisterPipeline", { name, description, config });
      if (outcome.status === "accepted") {
        setMessage({ text: `Registered as ${name}: experiments can run it now.`, error: false });
        void queries.invalidateQueries({ queryKey: ["variant-choices"] });
      } else {
        setMessage({ text: `Not registered: ${outcome.reason ?? outcome.status}`, error: true });
      }
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title">Register as a pipeline</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="register-name">Name</label>
          <input id="register-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="register-description">Description</label>
          <input
            id="register-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={busy || !valid || !name.trim()}>
        {busy ? "Registering…" : "Register"}
      </button>
      {message && (
        <p role={message.error ? "alert" : "status"} className={message.error ? "error" : "ok"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
