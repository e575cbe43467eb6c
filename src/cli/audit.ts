/**
 * nirantar audit: the forensic timeline. Who touched which patient's record, from which address,
 * when: the AuditEvents of one hospital, oldest first, filtered by user, patient, address and time
 * window, as a table, CSV or a FHIR Bundle.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { dateRange } from '../fhir/search/date-range.js';
import { CollectionBundleText } from '../audit/audit-bundle.js';
import { AUDIT_COLUMNS, auditRow, csvLine, type AuditColumn } from '../audit/audit-csv.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { findAuditEvents, type AuditCursor } from '../audit/audit-query.js';
import { parseAuditSearch } from '../audit/audit-search-params.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

const FORMATS = ['table', 'csv', 'bundle'] as const;
type Format = (typeof FORMATS)[number];
const PAGE = 1000;
const RELATIVE = /^(\d{1,6})([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const auditCommand: Command = {
  name: 'audit',
  summary: 'the forensic timeline: who accessed which patient, from where, when (table, CSV, FHIR Bundle)',
  options: {
    ...STORE_OPTIONS, user: { type: 'string' }, patient: { type: 'string' }, ip: { type: 'string' },
    since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
  },
  help: `Usage: nirantar audit [--user U] [--patient P] [--ip A] [--since T] [--until T]
                     [--format table|csv|bundle] [--out FILE] [--data DIR | --database-url URL] [--hospital ID]

Lists the audit trail of one hospital, oldest first: every access to the API (reads and searches
included) with who, role, action, outcome, the patients concerned, purpose, source IP, user agent.
The criteria combine (all must hold).

  --user U             the principal: 'user:asha', 'token:lab-gateway' (a bare name means user:NAME too)
  --patient P          events concerning this patient: Patient/ID or ID (a read, or a search that returned it)
  --ip A               from this source address, or a CIDR block (10.2.0.0/16)
  --since T, --until T the time window: ISO 8601 (2025-03-01, 2025-03-01T10:00+05:30) or relative to
                       now (90s, 30m, 2h, 7d, 2w). A date alone covers its whole day.
  --format F           table (default), csv (RFC 4180, with a header row) or bundle (a FHIR R4
                       collection Bundle of the AuditEvents)
  --out FILE           write there instead of to standard output

Retention: AuditEvents are entries of the hospital's hash-chained ledger, which is never deleted
(and is pulled by the vault), so the trail is kept without limit; nothing expires after 180 days.

Options:
${STORE_HELP}`,
  run: async (values) => {
    let pairs: Array<[string, string]>;
    let format: Format;
    try {
      format = parseFormat(values.format as string | undefined);
      pairs = criteria(values, new Date());
      parseAuditSearch(pairs); // refuse bad criteria before opening the store
    } catch (err) {
      console.error(`nirantar audit: ${(err as Error).message}`);
      return 2;
    }
    return withCommandStore(values, async (store, settings) => {
      const out = values.out ? createWriteStream(values.out as string) : process.stdout;
      const { query } = parseAuditSearch(pairs);
      const written = await writeTimeline(out, format, async (after) => findAuditEvents(store.admin, {
        ...query, hospitalId: settings.hospitalId, order: 'asc', count: PAGE, ...(after ? { after } : {}),
      }));
      if (out !== process.stdout) {
        await new Promise<void>((resolve, reject) => (out as Writable).end((err?: Error | null) => (err ? reject(err) : resolve())));
        console.error(`${written} audit events of hospital ${settings.hospitalId} written to ${values.out as string}`);
      }
      return 0;
    });
  },
};

/** The command's options as the FHIR search parameters they are (one parser, one set of rules). */
export function criteria(values: Record<string, string | boolean | undefined>, now: Date): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const user = values.user as string | undefined;
  if (user !== undefined) pairs.push(['agent', (user.includes(':') ? [user] : [user, `user:${user}`]).map(escapeValue).join(',')]);
  if (values.patient !== undefined) pairs.push(['patient', escapeValue(values.patient as string)]);
  if (values.ip !== undefined) pairs.push(['address', escapeValue(values.ip as string)]);
  if (values.since !== undefined) pairs.push(['date', `ge${instant(values.since as string, now, 'low', '--since')}`]);
  if (values.until !== undefined) pairs.push(['date', `le${instant(values.until as string, now, 'high', '--until')}`]);
  return pairs;
}

/** A relative time (2h) as the instant that long before `now`; an ISO date as its first or last instant. */
function instant(text: string, now: Date, end: 'low' | 'high', option: string): string {
  const relative = RELATIVE.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]]).toISOString();
  const range = dateRange(text);
  if (!range) throw new Error(`${option} "${text}" is neither an ISO 8601 date or time nor a duration like 2h or 7d`);
  return range[end];
}

function escapeValue(value: string): string {
  return value.replace(/[\\,|$]/g, (ch) => `\\${ch}`);
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'table';
  if (!(FORMATS as readonly string[]).includes(value)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
  return value as Format;
}

type FetchPage = (after?: AuditCursor) => Promise<{ events: AuditEvent[]; next?: AuditCursor }>;

/** Writes every page of the timeline in `format`; returns the number of events. */
async function writeTimeline(out: Writable, format: Format, fetchPage: FetchPage): Promise<number> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const bundle = new CollectionBundleText(new Date().toISOString());
  if (format === 'csv') await write(csvLine(AUDIT_COLUMNS));
  if (format === 'table') await write(tableLine(TABLE_HEADER));
  let count = 0;
  let after: AuditCursor | undefined;
  do {
    const page = await fetchPage(after);
    for (const event of page.events) {
      const row = auditRow(event);
      if (format === 'csv') await write(csvLine(AUDIT_COLUMNS.map((c) => row[c])));
      else if (format === 'table') await write(tableLine(TABLE_COLUMNS.map((c) => row[c])));
      else await write(bundle.entry(event));
      count++;
    }
    after = page.next;
  } while (after);
  if (format === 'bundle') await write(bundle.end());
  if (format === 'table') await write(`(${count} events)\n`);
  return count;
}

const TABLE_COLUMNS: AuditColumn[] = ['recorded', 'principal', 'role', 'action', 'interaction', 'outcome', 'source_ip', 'purpose', 'resource', 'patients'];
const TABLE_HEADER = TABLE_COLUMNS.map((c) => c.toUpperCase());
const TABLE_WIDTHS = [24, 24, 16, 6, 16, 7, 15, 7, 40, 0];

/** Fixed columns: long values are cut with '…' except the last (patients), which runs on. */
function tableLine(fields: string[]): string {
  return fields.map((f, i) => {
    const clean = f.replace(/[\r\n\t]/g, ' ');
    const width = TABLE_WIDTHS[i];
    if (width === 0) return clean;
    return (clean.length > width ? `${clean.slice(0, width - 1)}…` : clean).padEnd(width);
  }).join(' ') + '\n';
}
