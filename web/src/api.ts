// The app's only way to the server: the public /v1 API, same origin, with the session cookie
// the server set (httpOnly: no script here ever holds a bearer token). Unsafe methods carry the
// CSRF token the server gave at sign-in.

export interface ApiError {
  status: number;
  code: string;
  message: string;
  details: { field?: string; message: string }[];
}

export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/** The server could not be reached at all (offline, or it is down). */
export class Unreachable extends Error {}

const CSRF_HEADER = "X-CSRF-Token";
let csrfToken: string | null = null;

export function useCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...extraHeaders };
  // A form (a file upload) is sent as it is: fetch writes its multipart type and boundary.
  const isForm = body instanceof FormData;
  if (body !== undefined && !isForm) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken !== null) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new Unreachable(`${method} ${path}`);
  }
  if (response.status === 204) return undefined as T;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const error = payload?.error ?? { code: "HTTP_ERROR", message: response.statusText, details: [] };
    throw new ApiFailure({ status: response.status, ...error });
  }
  return payload as T;
}

/** ``call``'s result, or null when the server answers ``status`` (the resource is not there:
 * no session, no shift, no item with that code). */
export async function nullOn<T>(status: number, call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiFailure && error.error.status === status) return null;
    throw error;
  }
}
