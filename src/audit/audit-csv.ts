/**
 * AuditEvents as flat rows, for a spreadsheet (CSV, RFC 4180) or a terminal table: one row per
 * event, the columns an investigator filters on. Read back from the event itself, so the export is
 * whatever the ledger holds.
 */
import { ENTITY_ROLE, EXTENSION } from './audit-codes.js';
import type { AuditEvent } from './audit-event.js';

export const AUDIT_COLUMNS = [
  'recorded', 'principal', 'role', 'action', 'interaction', 'outcome', 'outcome_desc', 'purpose', 'break_glass_reason',
  'source_ip', 'user_agent', 'resource', 'patients', 'query', 'request_id', 'id',
] as const;

export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

type Json = Record<string, any>;

export function auditRow(event: AuditEvent): Record<AuditColumn, string> {
  const e = event as Json;
  const agent: Json = e.agent?.[0] ?? {};
  const entities: Json[] = e.entity ?? [];
  const byRole = (code: string) => entities.filter((x) => x.role?.code === code);
  const resource = byRole(ENTITY_ROLE.domainResource)[0]?.what;
  const query = byRole(ENTITY_ROLE.query)[0]?.query;
  const purpose: Json = e.purposeOfEvent?.[0] ?? {};
  return {
    recorded: e.recorded ?? '',
    principal: agent.who?.identifier?.value ?? agent.name ?? '',
    role: agent.role?.[0]?.text ?? '',
    action: e.action ?? '',
    interaction: e.subtype?.[0]?.display ?? e.subtype?.[0]?.code ?? '',
    outcome: e.outcome ?? '',
    outcome_desc: e.outcomeDesc ?? '',
    purpose: purpose.coding?.[0]?.code ?? '',
    break_glass_reason: purpose.text ?? '',
    source_ip: agent.network?.address ?? '',
    user_agent: extension(agent, EXTENSION.userAgent) ?? '',
    resource: resource?.reference ?? resource?.type ?? '',
    patients: byRole(ENTITY_ROLE.patient).map((x) => x.what?.reference).filter(Boolean).join(' '),
    query: typeof query === 'string' ? Buffer.from(query, 'base64').toString('utf8') : '',
    request_id: extension(e, EXTENSION.requestId) ?? '',
    id: e.id ?? '',
  };
}

function extension(element: Json, url: string): string | undefined {
  return (element.extension as Json[] | undefined)?.find((x) => x.url === url)?.valueString;
}

/** One CSV record (RFC 4180): fields with a comma, quote, CR or LF quoted, quotes doubled; CRLF. */
export function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\r\n';
}
