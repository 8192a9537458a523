// Commands through the API: sent, then their outcome waited for (accepted, or rejected with why).
import { api, ApiError, ok } from "./client";

export interface Outcome {
  status: "accepted" | "rejected" | "pending";
  reason?: string | null;
  stream_id?: string | null;
}

const WAIT_MS = 15_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Send a command and wait for its outcome; an ApiError when the API refuses it outright
 * (schema errors come with each field's path). */
export async function sendCommand(type: string, data: Record<string, unknown>): Promise<Outcome> {
  const {
    data: sent,
    error,
    response,
  } = await api.POST("/api/v1/commands", {
    body: { type, data } as never,
  });
  if (!response.ok || !sent) {
    throw new ApiError({ ...(error as object), status: response.status });
  }
  const id = (sent as { command_id: string }).command_id;
  const deadline = Date.now() + WAIT_MS;
  for (let wait = 50; Date.now() < deadline; wait = Math.min(wait * 2, 500)) {
    const found = (await ok(
      api.GET("/api/v1/commands/{command_id}", { params: { path: { command_id: id } } }),
    )) as unknown as Outcome;
    if (found.status !== "pending") return found;
    await delay(wait);
  }
  return { status: "pending", reason: "no outcome yet: the command worker has not answered" };
}
