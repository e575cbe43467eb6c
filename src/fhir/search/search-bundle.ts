/**
 * The searchset Bundle (search.html#return, bundle.html#searchset): matches, then included
 * resources, then any OperationOutcome about ignored parameters; links built from the accepted
 * parameters only, so a client following `next` repeats exactly the search that was run.
 */
import type { OperationOutcomeIssue } from '../outcome.js';
import { operationOutcome } from '../outcome.js';
import type { StoredResource } from './include.js';

export interface BundleLink {
  relation: 'self' | 'first' | 'previous' | 'next' | 'last';
  url: string;
}

export interface BundleEntry {
  fullUrl?: string;
  resource: Record<string, unknown>;
  search: { mode: 'match' | 'include' | 'outcome' };
}

export interface Bundle {
  resourceType: 'Bundle';
  type: 'searchset';
  total?: number;
  link: BundleLink[];
  entry?: BundleEntry[];
  /** A FHIR resource like any other (the REST layer handles it as one). */
  [key: string]: unknown;
}

export interface SearchsetParts {
  baseUrl: string;
  resourceType: string;
  linkParams: Array<[string, string]>;
  count: number;
  offset: number;
  /** Whether a page follows this one. */
  hasNext: boolean;
  total?: number;
  matches: StoredResource[];
  includes: StoredResource[];
  warnings: OperationOutcomeIssue[];
}

export function searchsetBundle(parts: SearchsetParts): Bundle {
  const base = parts.baseUrl.replace(/\/+$/, '');
  const entry: BundleEntry[] = [
    ...parts.matches.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r.resource, search: { mode: 'match' as const } })),
    ...parts.includes.map((r) => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r.resource, search: { mode: 'include' as const } })),
  ];
  if (parts.warnings.length > 0) {
    entry.push({ resource: operationOutcome(parts.warnings) as unknown as Record<string, unknown>, search: { mode: 'outcome' } });
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', link: searchLinks(parts) };
  if (parts.total !== undefined) bundle.total = parts.total;
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}

function searchLinks(parts: SearchsetParts): BundleLink[] {
  const { count, offset } = parts;
  const url = (at: number) => pageUrl(parts, at);
  const links: BundleLink[] = [{ relation: 'self', url: url(offset) }, { relation: 'first', url: url(0) }];
  if (offset > 0 && count > 0) links.push({ relation: 'previous', url: url(Math.max(0, offset - count)) });
  if (parts.hasNext && count > 0) links.push({ relation: 'next', url: url(offset + count) });
  if (parts.total !== undefined && count > 0) links.push({ relation: 'last', url: url(Math.max(0, Math.ceil(parts.total / count) - 1) * count) });
  return links;
}

function pageUrl(parts: SearchsetParts, offset: number): string {
  const pairs: Array<[string, string]> = [...parts.linkParams, ['_count', String(parts.count)]];
  if (offset > 0) pairs.push(['_offset', String(offset)]);
  const query = pairs.map(([k, v]) => `${encodeQueryPart(k)}=${encodeQueryPart(v)}`).join('&');
  return `${parts.baseUrl.replace(/\/+$/, '')}/${parts.resourceType}?${query}`;
}

/** Percent-encoding that leaves ':', ',' and '/' readable (all legal in a query, RFC 3986 3.4). */
function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/');
}
