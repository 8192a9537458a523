// The log as it grows, from GET /api/v1/events/stream (Server-Sent Events). The client resumes
// with Last-Event-ID after a lost connection, so nothing is missed and nothing comes twice.
import { createEventSource, type EventSourceClient } from "eventsource-client";
import { useEffect, useRef, useState } from "react";
import { savedToken } from "./token";

/** One event of the log, as GET /api/v1/events gives it. */
export interface LogEvent {
  position: number;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: {
    actor: string;
    occurred_at: string;
    command_id: string | null;
    correlation_id: string | null;
    causation_id: string | null;
  };
}

export type Connection = "connecting" | "open" | "closed";

export interface StreamOptions {
  /** One stream (``experiment-<id>``) from its start; else the whole log from now on. */
  stream?: string;
}

/** Calls ``onEvent`` for each event as it is appended; says whether the stream is connected. */
export function useEventStream(onEvent: (event: LogEvent) => void, options: StreamOptions = {}) {
  const [connection, setConnection] = useState<Connection>("connecting");
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  const { stream } = options;
  useEffect(() => {
    const url = new URL("/api/v1/events/stream", window.location.origin);
    if (stream) url.searchParams.set("stream", stream);
    else url.searchParams.set("tail", "true");
    const token = savedToken();
    const source: EventSourceClient = createEventSource({
      url,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      onConnect: () => setConnection("open"),
      onDisconnect: () => setConnection("connecting"),
      onMessage: (message) => {
        if (!message.data) return;
        handler.current(JSON.parse(message.data) as LogEvent);
      },
    });
    return () => {
      source.close();
      setConnection("closed");
    };
  }, [stream]);
  return connection;
}
