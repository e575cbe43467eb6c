/**
 * The write side of search: what a resource puts into search_index. Runs inside every write
 * transaction (and for every version during rebuild/restore), so the expressions are parsed once
 * per (type, code) and each resource is evaluated with the parsed trees only.
 */
import { toTypedValue, type AtomContext, type TypedValue } from '@medplum/core';
import { indexedSearchParameters, type SearchParameter, type SearchParameterType } from './search-parameters.js';
import type { SearchIndexRow } from './search-index-row.js';
import { addPhoneticRows, addStringRows } from './index-string.js';
import { addTokenRows } from './index-token.js';
import { addReferenceRows } from './index-reference.js';
import { addDateRows } from './index-date.js';
import { addNumberRows, addQuantityRows } from './index-quantity.js';
import { MAX_INDEXED_LENGTH } from './string-normalise.js';

export type { SearchIndexRow } from './search-index-row.js';

/** A FHIR resource as stored (JSON). */
export interface Resource {
  resourceType: string;
  id?: string;
  [key: string]: unknown;
}

type AddRows = (code: string, typed: TypedValue, rows: SearchIndexRow[]) => void;

const ADD_ROWS: Partial<Record<SearchParameterType, AddRows>> = {
  string: addStringRows,
  token: addTokenRows,
  reference: addReferenceRows,
  date: addDateRows,
  number: addNumberRows,
  quantity: addQuantityRows,
  uri: addUriRows,
};

/** What computes a parameter's values for a resource (input: the resource, as the one value). */
export type ValuesOf = (param: SearchParameter, input: TypedValue[], context: AtomContext) => TypedValue[];

/** The compiled paths (compiled-path.ts) where they cover the expression, the engine elsewhere. */
export const COMPILED_VALUES: ValuesOf = (param, input, context) => (param.compiled ? param.compiled(input) : param.expression!.eval(context, input));

/** @medplum/core's FHIRPath engine for every parameter: what the compiled paths are benchmarked against. */
export const ENGINE_VALUES: ValuesOf = (param, input, context) => param.expression!.eval(context, input);

/** One row per indexed value of every indexed search parameter of `resource`, without duplicates. */
export function searchIndexRows(resource: Resource, valuesOf: ValuesOf = COMPILED_VALUES): SearchIndexRow[] {
  const params = indexedSearchParameters(resource.resourceType);
  if (params.length === 0) return [];
  const root = toTypedValue(resource);
  const input = [root];
  const context: AtomContext = { variables: { '%resource': root, '%rootResource': root } };
  const rows: SearchIndexRow[] = [];
  for (const param of params) {
    // `phonetic` holds the Indian-name phonetic keys of the names, not their text (indian-name-phonetic.ts).
    const add = param.code === 'phonetic' && param.type === 'string' ? addPhoneticRows : ADD_ROWS[param.type];
    if (!add) continue;
    let values: TypedValue[];
    try {
      values = valuesOf(param, input, context);
    } catch {
      // A value the engine cannot evaluate (malformed content under a lenient write) must not
      // fail the write; the parameter is simply not indexed for this resource.
      continue;
    }
    for (const typed of values) add(param.code, typed, rows);
  }
  return distinct(rows);
}

function addUriRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  if (typeof typed.value !== 'string' || typed.value.length === 0) return;
  rows.push({ code, value: typed.value.length > MAX_INDEXED_LENGTH ? typed.value.slice(0, MAX_INDEXED_LENGTH) : typed.value });
}

/** Drops repeated rows (e.g. `name` for a HumanName with only a family: the part and the whole). */
function distinct(rows: SearchIndexRow[]): SearchIndexRow[] {
  // A resource has a few dozen rows: comparing them pairwise is cheaper than building a key string
  // for each (which was a twentieth of a restore's index computation); a large one uses the keys.
  if (rows.length > 64) return distinctByKey(rows);
  const result: SearchIndexRow[] = [];
  for (const r of rows) {
    if (!result.some((s) => sameRow(s, r))) result.push(r);
  }
  return result;
}

/** Equal as distinctByKey's keys are: a missing value, null and '' alike, numbers by their text. */
function sameRow(a: SearchIndexRow, b: SearchIndexRow): boolean {
  return a.code === b.code && same(a.value, b.value) && same(a.system, b.system) && same(a.raw, b.raw) &&
    same(a.lowTime, b.lowTime) && same(a.highTime, b.highTime) && same(a.lowNum, b.lowNum) && same(a.highNum, b.highNum);
}

function same(x: string | number | null | undefined, y: string | number | null | undefined): boolean {
  return x === y || String(x ?? '') === String(y ?? '');
}

function distinctByKey(rows: SearchIndexRow[]): SearchIndexRow[] {
  const seen = new Set<string>();
  const result: SearchIndexRow[] = [];
  for (const r of rows) {
    const key = `${r.code}\u0000${r.system ?? ''}\u0000${r.value ?? ''}\u0000${r.raw ?? ''}\u0000${r.lowTime ?? ''}\u0000${r.highTime ?? ''}\u0000${r.lowNum ?? ''}\u0000${r.highNum ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(r);
  }
  return result;
}
