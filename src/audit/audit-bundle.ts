/**
 * AuditEvents as FHIR Bundles: a searchset page for the API (self and next links, the next one
 * carrying the keyset cursor), and a collection Bundle that the CLI writes event by event, so that
 * exporting a long timeline never holds all of it in memory.
 */
import type { AuditEvent } from './audit-event.js';
import type { AuditCursor } from './audit-query.js';
import { encodeCursor } from './audit-search-params.js';

export interface AuditSearchset {
  /** The FHIR base URL (…/fhir/R4). */
  base: string;
  events: AuditEvent[];
  linkParams: Array<[string, string]>;
  count: number;
  /** The cursor this page was asked with, and the one of the next page. */
  cursor?: AuditCursor;
  next?: AuditCursor;
}

export function auditSearchset(page: AuditSearchset): Record<string, unknown> {
  const url = (cursor?: AuditCursor) => {
    const pairs: Array<[string, string]> = [...page.linkParams, ['_count', String(page.count)], ...(cursor ? [['_cursor', encodeCursor(cursor)] as [string, string]] : [])];
    return `${page.base}/AuditEvent?${new URLSearchParams(pairs).toString()}`;
  };
  const link = [{ relation: 'self', url: url(page.cursor) }, { relation: 'first', url: url() }];
  if (page.next) link.push({ relation: 'next', url: url(page.next) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link,
    ...(page.events.length > 0
      ? { entry: page.events.map((event) => ({ fullUrl: `${page.base}/AuditEvent/${event.id}`, resource: event, search: { mode: 'match' } })) }
      : {}),
  };
}

/**
 * The text of a collection Bundle, piece by piece: `entry()` for each event, then `end()`. The
 * entry array is opened with the first event (FHIR allows no empty array). Outside the API there is
 * no base URL to name: each fullUrl is the event's id as a urn:uuid (ids are server-assigned UUIDs).
 */
export class CollectionBundleText {
  private entries = 0;

  constructor(private readonly timestamp: string) {}

  entry(event: AuditEvent): string {
    const text = JSON.stringify({ fullUrl: `urn:uuid:${event.id}`, resource: event });
    return this.entries++ === 0 ? `${this.opening()},"entry":[\n${text}` : `,\n${text}`;
  }

  end(): string {
    return this.entries === 0 ? `${this.opening()}}\n` : '\n]}\n';
  }

  private opening(): string {
    return `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(this.timestamp)}`;
  }
}
