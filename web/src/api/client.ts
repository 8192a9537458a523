// The typed API client: paths and shapes come from schema.d.ts, generated from Phoenix's OpenAPI
// document (scripts/generate-api-client), so a route the app uses cannot drift unnoticed.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { forgetToken, savedToken } from "./token";

export type Schemas = components["schemas"];

/** A problem document (RFC 9457) as Phoenix answers errors, or what a failed fetch said. */
export interface ProblemDetails {
  status: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
  problems?: { path: string; message: string }[];
}

export class ApiError extends Error {
  readonly problem: ProblemDetails;
  constructor(problem: ProblemDetails) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.problem = problem;
  }
}

const listeners = new Set<() => void>();
/** Called when the API refuses the token: the app asks for another. */
export function onSignedOut(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = savedToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      forgetToken();
      listeners.forEach((l) => l());
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** The data of an openapi-fetch answer, or an ApiError carrying its problem document. */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const body = (error ?? {}) as Partial<ProblemDetails>;
  throw new ApiError({ ...body, status: response.status });
}

/** The text of what went wrong, for an error message on screen. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
