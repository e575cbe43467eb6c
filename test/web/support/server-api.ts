/**
 * The browser tests' side door to the server they drive: API calls that set the scene (a schedule,
 * orders, an analyzer's results) or check what the desk did, as the bootstrap token, a signed-in
 * account (its session cookie, so the server records who did it) or any other credential.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

export interface ApiReply { status: number; body: any; headers: Headers }
export type Api = (method: string, path: string, body?: unknown) => Promise<ApiReply>;

/** One request with a fresh X-Request-Id; the body parsed as JSON when it is JSON. */
export async function send(baseUrl: string, method: string, path: string, body: unknown, auth: Record<string, string>): Promise<ApiReply> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...auth, 'x-request-id': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The API with a bearer token; `baseUrl` is read at each call (the server starts in before()). */
export function bearerApi(baseUrl: () => string, token: string): Api {
  return (method, path, body) => send(baseUrl(), method, path, body, { authorization: `Bearer ${token}` });
}

/** The API as a signed-in person: signs in once and sends the session cookie. */
export async function sessionApi(baseUrl: string, account: { username: string; password: string }): Promise<Api> {
  const login = await send(baseUrl, 'POST', '/auth/login', { username: account.username, password: account.password }, {});
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return (method, path, body) => send(baseUrl, method, path, body, { cookie });
}
