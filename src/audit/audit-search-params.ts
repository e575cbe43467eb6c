/**
 * The search parameters of GET /AuditEvent, read into an AuditQuery. R4's own parameters where they
 * fit, with the meaning a forensic search needs:
 *
 *   date        recorded, with eq (default), ne, ge, gt, le, lt, sa, eb prefixes and FHIR precision
 *   agent, agent-name   the principal, exactly ('user:asha', 'token:lab-gateway')
 *   agent-role  the role (doctor, nurse …)
 *   patient     Patient/x or x: events concerning that patient (read, or returned by a search)
 *   address     source IP address (an IPv4 address also matches its ::ffff: form), or a CIDR block
 *   action      C R U D E          outcome   0 4 8 12
 *   entity      Type/id: the resource addressed (for a Patient, also any event concerning it)
 *   subtype     read, vread, search-type, history-instance, create …
 *   purpose     TREAT, BTG, HOPERAT (not an R4 parameter)
 *   _count (default 50, at most 1000), _sort (-date, the default, or date), _cursor (from a next link)
 *
 * Token values may carry a system (`system|code`); only the code is compared. Comma-separated values
 * are alternatives; a repeated parameter must hold each time. Anything else is refused with a 400
 * naming it: a forensic search that silently ignored a criterion would answer another question.
 */
import { isIP } from 'node:net';
import { badRequest } from '../fhir/outcome.js';
import { dateRange } from '../fhir/search/date-range.js';
import { splitPrefix } from '../fhir/search/search-prefix.js';
import { splitSearchValue, unescapeSearchValue } from '../fhir/search/split-search-value.js';
import type { AuditCursor, AuditQuery, AuditTerm } from './audit-query.js';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

const SIMPLE: Readonly<Record<string, 'principal' | 'role' | 'action' | 'outcome' | 'interaction' | 'purpose'>> = {
  agent: 'principal',
  'agent-name': 'principal',
  'agent-role': 'role',
  action: 'action',
  outcome: 'outcome',
  subtype: 'interaction',
  purpose: 'purpose',
};
const TOKENS = new Set(['agent-role', 'action', 'outcome', 'subtype', 'purpose']);
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A timestamptz as PostgreSQL writes it ('2025-03-01 10:15:00.123+00'). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2}|Z)$/;

export interface ParsedAuditSearch {
  query: Omit<AuditQuery, 'hospitalId'>;
  /** The accepted parameters without _count and _cursor, for the links of the Bundle. */
  linkParams: Array<[string, string]>;
}

export function parseAuditSearch(pairs: ReadonlyArray<[string, string]>): ParsedAuditSearch {
  const where: AuditTerm[][] = [];
  const linkParams: Array<[string, string]> = [];
  let count = DEFAULT_COUNT;
  let order: 'asc' | 'desc' = 'desc';
  let after: AuditCursor | undefined;
  for (const [name, value] of pairs) {
    if (name.includes(':')) throw badRequest(`search parameter "${name}": modifiers are not supported on AuditEvent`, name);
    if (name === '_count') {
      count = parseCount(value);
      continue;
    }
    if (name === '_cursor') {
      after = parseCursor(value);
      continue;
    }
    linkParams.push([name, value]);
    if (name === '_sort') {
      if (value !== 'date' && value !== '-date') throw badRequest(`_sort "${value}" is not supported on AuditEvent: use date or -date`, '_sort');
      order = value === 'date' ? 'asc' : 'desc';
      continue;
    }
    const parse = termParser(name);
    where.push(splitSearchValue(value, ',').map((part) => parse(unescapeSearchValue(part))));
  }
  return { query: { where, count, order, ...(after ? { after } : {}) }, linkParams };
}

function termParser(name: string): (value: string) => AuditTerm {
  const simple = SIMPLE[name];
  if (simple) {
    return (value) => {
      const code = TOKENS.has(name) ? value.slice(value.lastIndexOf('|') + 1) : value;
      if (code === '') throw badRequest(`search parameter "${name}" needs a value`, name);
      return { on: simple, value: code };
    };
  }
  switch (name) {
    case 'date':
      return dateTerm;
    case 'patient':
      return (value) => ({ on: 'patient', value: `Patient/${referenceId(name, value, 'Patient')}` });
    case 'address':
      return addressTerm;
    case 'entity':
      return (value) => {
        const slash = value.indexOf('/');
        if (slash < 1) throw badRequest(`entity "${value}" must be Type/id`, 'entity');
        return { on: 'entity', type: value.slice(0, slash), id: referenceId(name, value.slice(slash + 1)) };
      };
    default:
      throw badRequest(`unknown search parameter "${name}" for AuditEvent`, name);
  }
}

function dateTerm(value: string): AuditTerm {
  const { prefix, rest } = splitPrefix(value);
  const range = dateRange(rest);
  if (!range) throw badRequest(`date "${value}" is not a FHIR date, dateTime or instant`, 'date');
  switch (prefix) {
    case 'eq':
      return { on: 'recorded-between', low: range.low, high: range.high };
    case 'ne':
      return { on: 'recorded-between', low: range.low, high: range.high, negate: true };
    case 'ge':
      return { on: 'recorded', op: '>=', time: range.low };
    case 'gt':
    case 'sa':
      return { on: 'recorded', op: '>', time: range.high };
    case 'le':
      return { on: 'recorded', op: '<=', time: range.high };
    case 'lt':
    case 'eb':
      return { on: 'recorded', op: '<', time: range.low };
    default:
      throw badRequest(`date prefix "${prefix}" is not supported on AuditEvent`, 'date');
  }
}

function addressTerm(value: string): AuditTerm {
  const [address, bits, extra] = value.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
  if (family === 0 || !okBits || extra !== undefined) throw badRequest(`address "${value}" is not an IP address or CIDR block`, 'address');
  return { on: 'address', value };
}

/** 'Patient/x', 'x' or a full URL ending in Type/x: the id, checked. */
function referenceId(name: string, value: string, type?: string): string {
  const parts = value.split('/');
  const id = parts.at(-1) ?? '';
  if (type && parts.length > 1 && parts.at(-2) !== type) throw badRequest(`${name} "${value}" is not a reference to a ${type}`, name);
  if (!FHIR_ID.test(id)) throw badRequest(`${name} "${value}" does not end in a valid id`, name);
  return id;
}

function parseCount(value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) > MAX_COUNT) throw badRequest(`_count must be a whole number from 0 to ${MAX_COUNT}`, '_count');
  return Number(value);
}

/** The cursor of a next link: base64url of JSON [recorded, id]. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.recorded, cursor.id])).toString('base64url');
}

function parseCursor(value: string): AuditCursor {
  try {
    const [recorded, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (typeof recorded === 'string' && typeof id === 'string' && CURSOR_TIME.test(recorded)) return { recorded, id };
  } catch {
    /* reported below */
  }
  throw badRequest('_cursor is not a cursor this server issued (follow the next link as given)', '_cursor');
}
