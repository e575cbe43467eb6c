/**
 * Number and quantity search parameter values as the range their written precision implies,
 * quantities with their unit: system = unit system, value = unit code (or the unit text when
 * there is no code), raw = unit text, so that `5.4||mg` can match either.
 */
import type { TypedValue } from '@medplum/core';
import type { SearchIndexRow } from './search-index-row.js';
import { NUMBER_UNBOUNDED_HIGH, NUMBER_UNBOUNDED_LOW, numberRange } from './number-range.js';

interface Quantity { value?: number; comparator?: string; unit?: string; system?: string; code?: string; currency?: string }

const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';

export function addNumberRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  const value = typed.value as unknown;
  if (typeof value === 'number') return addRange(code, value, undefined, {}, rows);
  if (typeof value !== 'object' || value === null) return;
  if (typed.type === 'Range') return addRangeType(code, value as { low?: Quantity; high?: Quantity }, {}, rows);
  const q = value as Quantity;
  if (typeof q.value === 'number') addRange(code, q.value, q.comparator, {}, rows);
}

export function addQuantityRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  const value = typed.value as unknown;
  if (typeof value === 'number') return addRange(code, value, undefined, {}, rows);
  if (typeof value !== 'object' || value === null) return;
  if (typed.type === 'Range') {
    const range = value as { low?: Quantity; high?: Quantity };
    return addRangeType(code, range, unitOf(range.low ?? range.high ?? {}), rows);
  }
  const q = value as Quantity;
  if (typeof q.value !== 'number') return; // SampledData and unit-only quantities: nothing to compare
  addRange(code, q.value, q.comparator, unitOf(q), rows);
}

function unitOf(q: Quantity): Pick<SearchIndexRow, 'system' | 'value' | 'raw'> {
  if (q.currency !== undefined) return { system: CURRENCY_SYSTEM, value: q.currency, raw: q.currency };
  return { system: q.system ?? null, value: q.code ?? q.unit ?? null, raw: q.unit ?? null };
}

function addRange(code: string, n: number, comparator: string | undefined, unit: object, rows: SearchIndexRow[]): void {
  const range = numberRange(String(n));
  if (!range) return;
  let { low, high } = range;
  // '<5' says only that the value is below 5: the range runs from unbounded up to exactly 5.
  if (comparator === '<' || comparator === '<=') [low, high] = [NUMBER_UNBOUNDED_LOW, range.value];
  else if (comparator === '>' || comparator === '>=') [low, high] = [range.value, NUMBER_UNBOUNDED_HIGH];
  rows.push({ code, ...unit, lowNum: low, highNum: high });
}

function addRangeType(code: string, r: { low?: Quantity; high?: Quantity }, unit: object, rows: SearchIndexRow[]): void {
  const low = typeof r.low?.value === 'number' ? numberRange(String(r.low.value))?.low : undefined;
  const high = typeof r.high?.value === 'number' ? numberRange(String(r.high.value))?.high : undefined;
  if (low === undefined && high === undefined) return;
  rows.push({ code, ...unit, lowNum: low ?? NUMBER_UNBOUNDED_LOW, highNum: high ?? NUMBER_UNBOUNDED_HIGH });
}
