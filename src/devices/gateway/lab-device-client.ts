/**
 * The gateway's side of the server's device API (src/departments/lab/lab-api.ts, role device):
 * POST /api/lab/device/results|orders for spooled entries, with the entry's id as X-Request-Id so a
 * re-post is answered from the server's idempotency record; POST /api/lab/device/query for a host
 * query, live. It sorts every answer into delivered, rejected (keep in the dead-letter file) or retry.
 */
import { createHash } from 'node:crypto';
import type { AnalyzerOrder, DeviceHostQuery, DeviceOrderMessage, SinkOutcome } from '../lab-device-types.js';
import type { DeviceCredential } from './device-credential.js';
import type { SpoolEntry } from './spool-entry.js';

export type ForwardOutcome =
  | { readonly kind: 'delivered'; readonly tally?: ResultTally }
  | { readonly kind: 'rejected'; readonly status: number; readonly reason: string }
  | { readonly kind: 'retry'; readonly status?: number; readonly problem: string };

/** How the lab filed a result report's observations (DeviceResultsReply): against a specimen, for review, or as repeats. */
export interface ResultTally { readonly matched: number; readonly review: number; readonly duplicates: number }

/**
 * 4xx answers that are about the gateway or the server rather than the report: retried, never
 * dead-lettered. 401/403: our credential (expired, revoked, wrong role: an operator fixes it and the
 * backlog flows); 404/405: a server without the device API (an older version or a proxy's error
 * page); 408/409/425/429: come back later.
 */
const RETRY_4XX = new Set([401, 403, 404, 405, 408, 409, 425, 429]);

export class LabDeviceClient {
  constructor(
    private readonly server: string,
    private readonly credential: DeviceCredential,
    private readonly timeoutMs = 30_000,
  ) {}

  async forward(entry: SpoolEntry): Promise<ForwardOutcome> {
    const path = entry.kind === 'results' ? '/api/lab/device/results' : '/api/lab/device/orders';
    let res: Response;
    let text: string;
    try {
      res = await this.post(path, entry.body, entry.id, this.timeoutMs);
      text = await res.text();
    } catch (err) {
      return { kind: 'retry', problem: describeNetworkError(err) };
    }
    if (res.status === 401) this.credential.refused();
    if (res.status >= 500 || RETRY_4XX.has(res.status)) return { kind: 'retry', status: res.status, problem: `HTTP ${res.status}` };
    const body = parseJson(text);
    if (res.status >= 400) return { kind: 'rejected', status: res.status, reason: operationOutcomeText(body) ?? text.slice(0, 2000) };
    // 2xx: a SinkOutcome-shaped refusal (accepted: false) is a rejection of this message by the lab.
    if (body && typeof body === 'object' && (body as { accepted?: unknown }).accepted === false) {
      return { kind: 'rejected', status: res.status, reason: String((body as { reason?: unknown }).reason ?? 'refused by the laboratory') };
    }
    return { kind: 'delivered', tally: entry.kind === 'results' ? resultTally(body) : undefined };
  }

  /**
   * Orders from the hospital's order system, placed live: the sender's ACK is the lab's answer, so an
   * order for a patient or test the lab does not know is refused back to the sender (AE), which keeps
   * it, instead of being acknowledged and set aside here. The request id is the message's hash, so
   * the sender resending the same message after a lost ACK places it once.
   * Throws when the server cannot answer (the sender hears AE and sends again later).
   */
  async placeOrders(message: DeviceOrderMessage, timeoutMs: number): Promise<SinkOutcome> {
    const requestId = `orders-${createHash('sha256').update(JSON.stringify(message)).digest('hex').slice(0, 40)}`;
    const res = await this.post('/api/lab/device/orders', message, requestId, timeoutMs);
    const body = parseJson(await res.text());
    if (res.status === 401) this.credential.refused();
    if (res.status >= 500 || RETRY_4XX.has(res.status)) throw new Error(`orders answered HTTP ${res.status}`);
    if (res.status >= 400) return { accepted: false, reason: operationOutcomeText(body) ?? `refused by the laboratory (HTTP ${res.status})` };
    if (body && typeof body === 'object' && (body as { accepted?: unknown }).accepted === false) {
      return { accepted: false, reason: String((body as { reason?: unknown }).reason ?? 'refused by the laboratory') };
    }
    return { accepted: true };
  }

  /** The lab's orders for the tubes an analyzer asked about. Throws when the server cannot answer. */
  async query(query: DeviceHostQuery, timeoutMs: number): Promise<readonly AnalyzerOrder[]> {
    const res = await this.post('/api/lab/device/query', query, undefined, timeoutMs);
    const body = parseJson(await res.text()) as { orders?: AnalyzerOrder[] } | undefined;
    if (res.status === 401) this.credential.refused();
    if (!res.ok || !Array.isArray(body?.orders)) throw new Error(`host query answered HTTP ${res.status}`);
    return body.orders;
  }

  private async post(path: string, body: unknown, requestId: string | undefined, timeoutMs: number): Promise<Response> {
    return fetch(new URL(path, this.server), {
      method: 'POST',
      headers: {
        authorization: await this.credential.authorization(),
        'content-type': 'application/json',
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  }
}

function resultTally(body: unknown): ResultTally | undefined {
  const b = body as Partial<ResultTally> | undefined;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return b && typeof b === 'object' ? { matched: n(b.matched), review: n(b.review), duplicates: n(b.duplicates) } : undefined;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The diagnostics of a FHIR OperationOutcome, joined. */
function operationOutcomeText(body: unknown): string | undefined {
  const issues = (body as { resourceType?: string; issue?: { code?: string; diagnostics?: string }[] } | undefined);
  if (issues?.resourceType !== 'OperationOutcome' || !Array.isArray(issues.issue)) return undefined;
  return issues.issue.map((i) => i.diagnostics ?? i.code ?? '').filter(Boolean).join('; ') || undefined;
}

/** "connect ECONNREFUSED 127.0.0.1:8080" rather than fetch's bare "fetch failed". */
function describeNetworkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
