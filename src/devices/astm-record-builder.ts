/**
 * Records the host sends back to an analyzer that asked for its worklist (LIS2-A2 host query answer):
 * H, then per tube a P and an O record carrying the tests as ^^^code repeats, then L. A tube the lab
 * has no order for still gets an O record, with report type Y ("no order on record"), so the analyzer
 * stops waiting for it.
 */
import { DEFAULT_ASTM_DELIMITERS, escapeAstm, type AstmDelimiters } from './astm-records.js';
import type { AnalyzerOrder } from './lab-device-types.js';

export interface QueryAnswerOptions {
  readonly hostName?: string;
  readonly receiver?: string;
  readonly now?: Date;
  readonly delimiters?: AstmDelimiters;
}

/** Records (without CR) answering a query for `specimenIds` with `orders`. */
export function buildQueryAnswer(specimenIds: readonly string[], orders: readonly AnalyzerOrder[], options: QueryAnswerOptions = {}): string[] {
  const d = options.delimiters ?? DEFAULT_ASTM_DELIMITERS;
  const e = (v: string) => escapeAstm(v, d);
  const f = (...fields: string[]) => fields.join(d.field);
  const records = [f('H', d.repeat + d.component + d.escape, '', '', e(options.hostName ?? 'Nirantar'), '', '', '', '', e(options.receiver ?? ''), '', 'P', 'LIS2-A2', astmTimestamp(options.now ?? new Date()))];
  const asked = specimenIds.length > 0 ? specimenIds : orders.map((o) => o.specimenId);
  let seq = 0;
  for (const id of asked) {
    const tubeOrders = orders.filter((o) => o.specimenId === id);
    seq++;
    records.push(f('P', String(seq), e(tubeOrders[0]?.patientId ?? ''))); // P-3: practice-assigned id (our UHID)
    const tests = tubeOrders.flatMap((o) => o.testCodes);
    const priority = tubeOrders.find((o) => o.priority)?.priority ?? 'R';
    const testField = tests.map((t) => `${d.component}${d.component}${d.component}${e(t)}`).join(d.repeat);
    // O-12 action code N (new order); O-26 report type Q (answer to a query) or Y (no order on record).
    records.push(f('O', '1', e(id), '', testField, tests.length > 0 ? priority : '', '', '', '', '', '', tests.length > 0 ? 'N' : '',
      '', '', '', '', '', '', '', '', '', '', '', '', '', tests.length > 0 ? 'Q' : 'Y'));
  }
  records.push(f('L', '1', 'N'));
  return records;
}

export function astmTimestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}
