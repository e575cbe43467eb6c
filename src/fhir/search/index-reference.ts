/**
 * Reference search parameter values: 'Type/id' for relative references (any _history suffix
 * dropped: a search by reference means the resource, not one version of it), absolute URLs and
 * canonicals as written. References to contained resources ('#id') point inside the resource
 * itself and are not indexed.
 */
import type { TypedValue } from '@medplum/core';
import type { SearchIndexRow } from './search-index-row.js';
import { MAX_INDEXED_LENGTH } from './string-normalise.js';

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/;
const HISTORY_SUFFIX = /\/_history\/[^/]*$/;

export function addReferenceRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  const value = typed.value as unknown;
  let reference: string | undefined;
  if (typeof value === 'string') reference = value; // canonical or uri
  else if (typeof value === 'object' && value !== null) {
    const v = value as { reference?: unknown; resourceType?: unknown; id?: unknown };
    if (typeof v.reference === 'string') reference = v.reference;
    // An inline resource (e.g. Bundle.entry[0].resource for Bundle's `composition`).
    else if (typeof v.resourceType === 'string' && typeof v.id === 'string') reference = `${v.resourceType}/${v.id}`;
  }
  if (reference === undefined) return;
  const normalised = normaliseReference(reference);
  if (normalised !== undefined) rows.push({ code, value: normalised });
}

/** The form a reference is indexed and searched in; undefined for contained ('#id') references. */
export function normaliseReference(reference: string): string | undefined {
  if (reference.length === 0 || reference.startsWith('#')) return undefined;
  const relative = RELATIVE.exec(reference);
  if (relative) return `${relative[1]}/${relative[2]}`;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(reference) ? reference.replace(HISTORY_SUFFIX, '') : reference;
  return absolute.length > MAX_INDEXED_LENGTH ? absolute.slice(0, MAX_INDEXED_LENGTH) : absolute;
}
