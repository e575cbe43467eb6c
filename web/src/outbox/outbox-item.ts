/**
 * One write waiting in the outbox. Every write the desks make is queued as one of these, even when
 * the server is reachable, and sent in the order it was queued with its idempotency key
 * (`X-Request-Id`), so a retry after a lost answer never writes twice.
 */
export type OutboxStatus = 'pending' | 'sending' | 'done' | 'failed';

export interface OutboxRequest {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A FHIR (`/fhir/R4/...`) or API (`/api/...`) path on the server that serves the app. */
  path: string;
  body?: unknown;
}

export interface OutboxItem {
  /** Client-generated (crypto.randomUUID): names the item on this computer. */
  id: string;
  /** Queue order: sending follows it. */
  seq: number;
  /** What the clerk would call it ("Register Asha Devi"), for the desk and the outbox list. */
  label: string;
  request: OutboxRequest;
  /** The idempotency key, sent as X-Request-Id; a new one only when the clerk changes a refused request. */
  requestId: string;
  status: OutboxStatus;
  attempts: number;
  queuedAt: number;
  lastAttemptAt?: number;
  /** While the server is unreachable: not before this time. */
  nextAttemptAt?: number;
  doneAt?: number;
  /** The server's answer once it accepted the write. */
  response?: { status: number; body: unknown };
  /** Why it is not done: the server's OperationOutcome text (failed), or the last network trouble (pending). */
  error?: string;
}

/** Not yet accepted by the server: what the header's pending count counts. */
export const isUnsent = (item: OutboxItem): boolean => item.status !== 'done';
