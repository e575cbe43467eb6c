/**
 * Date search parameter values as the period they cover: date/dateTime/instant by their
 * precision, Period from the start of its start to the end of its end (open ends unbounded),
 * Timing by each event (or its bounds when it has no events).
 */
import type { TypedValue } from '@medplum/core';
import type { SearchIndexRow } from './search-index-row.js';
import { dateRange, UNBOUNDED_HIGH, UNBOUNDED_LOW } from './date-range.js';

interface Period { start?: string; end?: string }
interface Timing { event?: string[]; repeat?: { boundsPeriod?: Period } }

export function addDateRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  const value = typed.value as unknown;
  // date, dateTime, instant; also a choice type's string alternative when it happens to be a date.
  if (typeof value === 'string') return addInstant(code, value, rows);
  if (typeof value !== 'object' || value === null) return;
  if (typed.type === 'Period') return addPeriod(code, value as Period, rows);
  if (typed.type === 'Timing') {
    const timing = value as Timing;
    if (timing.event?.length) for (const event of timing.event) addInstant(code, event, rows);
    else if (timing.repeat?.boundsPeriod) addPeriod(code, timing.repeat.boundsPeriod, rows);
  }
}

function addInstant(code: string, text: string, rows: SearchIndexRow[]): void {
  const range = dateRange(text);
  if (range) rows.push({ code, lowTime: range.low, highTime: range.high });
}

function addPeriod(code: string, period: Period, rows: SearchIndexRow[]): void {
  const start = typeof period.start === 'string' ? dateRange(period.start) : undefined;
  const end = typeof period.end === 'string' ? dateRange(period.end) : undefined;
  if (!start && !end) return;
  rows.push({ code, lowTime: start?.low ?? UNBOUNDED_LOW, highTime: end?.high ?? UNBOUNDED_HIGH });
}
