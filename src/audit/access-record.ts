/**
 * One access to the API, as the request pipeline reports it once the answer is known: who (and in
 * which role), what they did, to which patients, with what outcome, from where. The audit trail turns
 * each into a FHIR AuditEvent; the access watch (honeytokens, bulk-read guard) looks at the same.
 *
 * Records carry no secrets (no tokens, no cookies, no passwords). They do carry the search query, which
 * can hold patient data (name=...): the audit trail is as protected as the records themselves.
 */
import type { Role } from '../security/principal.js';

/** FHIR AuditEvent.action: Create, Read/view/print, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** FHIR AuditEvent.outcome: success, minor failure (the request was refused), serious failure (the server failed). */
export type AuditOutcome = '0' | '4' | '8';

export type AccessInteraction =
  | 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'patch' | 'delete'
  | 'batch' | 'transaction' | 'capabilities' | 'login' | 'logout' | 'operation';

export interface AccessRecord {
  hospitalId: string;
  /** When the request arrived (UTC, ISO 8601 with milliseconds). */
  time: string;
  /** As in the ledger: 'user:asha', 'token:lab-gateway', 'bootstrap-admin'; 'anonymous' when nobody authenticated. */
  principal: string;
  role: Role | null;
  /** The account's id, for a browser session. */
  userId?: string;
  action: AuditAction;
  interaction: AccessInteraction;
  /** The resource type addressed, if any (absent for system-level history or a Bundle). */
  resourceType?: string;
  /** The resource id addressed (read, vread, update, patch, delete, instance history). */
  resourceId?: string;
  /** The query string of a search or history request, as sent (without the leading '?'). */
  query?: string;
  /** HTTP status of the answer. */
  status: number;
  outcome: AuditOutcome;
  /** Why it was refused or failed, in words safe to show an auditor (no stack, no SQL). */
  outcomeDescription?: string;
  /** 'Patient/<id>' for every patient concerned: the one read, or each patient a search returned. */
  patients: string[];
  /** FHIR v3 PurposeOfUse code: 'TREAT' normally, 'BTG' for a break-glass access, 'HOPERAT' for administration. */
  purpose: string;
  /** The reason a clinician gave to open a record outside their scope (break-glass). */
  breakGlassReason?: string;
  sourceIp: string | null;
  userAgent: string | null;
  /** The server's request id (also in the log), and the client's X-Request-Id when it sent one. */
  requestId: string;
  clientRequestId?: string;
  method: string;
  /** The path, without the query string. */
  path: string;
}

/**
 * An access record as the ledger keeps it: the record and the id of its AuditEvent. The FHIR
 * AuditEvent is rendered from it when read (audit-event.ts): a third of the bytes to hash, chain,
 * vault and store on every read of the API, and the same AuditEvent for anyone who asks.
 */
export type AuditRecord = AccessRecord & { id: string };

/** Where access records go. `record` must not block the answer; failures are the sink's to report. */
export interface AccessSink {
  record(access: AccessRecord): void;
}
