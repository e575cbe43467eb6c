/**
 * A security alert raised by the access watch (a decoy record touched, a principal reading patient
 * records in bulk), and the one sentence that describes it. The same sentence goes to the log, into
 * the Communication an admin reviews and to the webhook, so all three say the same thing.
 *
 * An alert carries no patient data: who (principal, role), what (interaction, resource type, the
 * decoy's id), when and from where. Never the query string, which can hold names.
 */
import type { AccessInteraction } from '../../audit/access-record.js';
import type { Role } from '../principal.js';

export type AlertKind = 'honeytoken' | 'bulk-read-warning' | 'bulk-read-throttled';

export interface SecurityAlert {
  kind: AlertKind;
  hospitalId: string;
  /** When the access that raised it arrived (UTC, ISO 8601). */
  time: string;
  principal: string;
  role: Role | null;
  sourceIp: string | null;
  interaction: AccessInteraction;
  resourceType?: string;
  /** The decoy touched, 'Patient/<id>' (honeytoken alerts only). */
  subject?: string;
  /** The server's request id, to find the request in the log and the audit trail. */
  requestId: string;
  /** What happened, in one sentence (see describe* below). */
  message: string;
}

/** Principals, roles and addresses come from our own tables, but a log line must never be forgeable. */
export function printable(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? 'unknown' : value.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

/** "user:asha (role doctor) from 10.0.0.7 at <time>, read Patient (request r-1)". */
export function describeAccess(a: Pick<SecurityAlert, 'principal' | 'role' | 'sourceIp' | 'time' | 'interaction' | 'resourceType' | 'requestId'>): string {
  const what = a.resourceType ? `${a.interaction} ${printable(a.resourceType)}` : a.interaction;
  return `${printable(a.principal)} (role ${printable(a.role)}) from ${printable(a.sourceIp)} at ${a.time}, ${what} (request ${printable(a.requestId)})`;
}

export const ALERT_TITLES: Readonly<Record<AlertKind, string>> = {
  honeytoken: 'Decoy record accessed',
  'bulk-read-warning': 'Bulk read: near the limit',
  'bulk-read-throttled': 'Bulk read: limit exceeded, throttled',
};
