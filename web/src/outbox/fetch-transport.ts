/** Sends one outbox item with fetch, on the page's own origin (the session cookie goes along). */
import type { OutboxItem } from './outbox-item.js';
import type { TransportResult } from './outbox-sender.js';

export async function fetchTransport(item: OutboxItem): Promise<TransportResult> {
  const { method, path, body } = item.request;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        'x-request-id': item.requestId,
        accept: 'application/fhir+json, application/json',
        ...(body === undefined ? {} : { 'content-type': path.startsWith('/fhir/') ? 'application/fhir+json' : 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { kind: 'unreachable', message: err instanceof Error ? err.message : String(err) };
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { kind: 'answer', status: response.status, body: parsed };
}
