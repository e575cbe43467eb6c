/** Reads and the session calls, straight to the server (writes to the record go through the outbox). */
import { outcomeText } from './operation-outcome.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export async function call<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Answer<T>> {
  const response = await fetch(path, {
    method,
    signal,
    credentials: 'same-origin',
    headers: { accept: 'application/json, application/fhir+json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed as T };
}

/** Throws an Error with the server's OperationOutcome text unless the answer is 2xx. */
export async function callOk<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await call<T>(method, path, body);
  if (answer.status < 200 || answer.status >= 300) throw new Error(outcomeText(answer.body, answer.status));
  return answer.body;
}
