/**
 * Turnaround figures from order timelines: pure arithmetic, no store. Each order (each test) counts
 * once per stage it has both ends of:
 *   collection     ordered → collected        receipt        collected → received
 *   result         received → first result    validation     first result → technically validated
 *   authorisation  validated → authorised     total          received → authorised (what the target measures)
 * Median and 90th percentile (nearest rank) in minutes, to one decimal. A breach is a report
 * authorised later after receipt than its test's turnaround target; pending counts each open order
 * at the first stage it has not finished.
 */
import type { StageFigures, TurnaroundFigures } from './lab-api.js';

export interface OrderTimeline {
  order: string;
  /** The test's name, as the desk prints a breach. */
  test: string;
  targetHours?: number;
  report?: string;
  /** Epoch milliseconds of each event, when it happened. */
  orderedAt?: number;
  collectedAt?: number;
  receivedAt?: number;
  resultAt?: number;
  validatedAt?: number;
  authorisedAt?: number;
}

type Stage = StageFigures['stage'];
const STAGES: Array<[Stage, keyof OrderTimeline, keyof OrderTimeline]> = [
  ['collection', 'orderedAt', 'collectedAt'],
  ['receipt', 'collectedAt', 'receivedAt'],
  ['result', 'receivedAt', 'resultAt'],
  ['validation', 'resultAt', 'validatedAt'],
  ['authorisation', 'validatedAt', 'authorisedAt'],
  ['total', 'receivedAt', 'authorisedAt'],
];
const PENDING: Array<[keyof TurnaroundFigures['pending'], keyof OrderTimeline]> = [
  ['collection', 'collectedAt'], ['receipt', 'receivedAt'], ['result', 'resultAt'], ['validation', 'validatedAt'], ['authorisation', 'authorisedAt'],
];

const round1 = (n: number) => Math.round(n * 10) / 10;

export function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p of the values at or below it. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export function turnaroundFigures(date: string, timelines: OrderTimeline[]): TurnaroundFigures {
  const stages = STAGES.map(([stage, from, to]): StageFigures => {
    const minutes = timelines.flatMap((t) => {
      const a = t[from] as number | undefined;
      const b = t[to] as number | undefined;
      return a !== undefined && b !== undefined ? [Math.max(0, b - a) / 60_000] : [];
    }).sort((x, y) => x - y);
    if (minutes.length === 0) return { stage, count: 0 };
    return { stage, count: minutes.length, medianMinutes: round1(median(minutes)), p90Minutes: round1(percentile(minutes, 0.9)) };
  });
  const breaches = timelines.flatMap((t) => {
    if (t.receivedAt === undefined || t.authorisedAt === undefined || t.targetHours === undefined || !t.report) return [];
    const actualHours = (t.authorisedAt - t.receivedAt) / 3_600_000;
    return actualHours > t.targetHours ? [{ report: t.report, test: t.test, targetHours: t.targetHours, actualHours: round1(actualHours) }] : [];
  });
  const pending: TurnaroundFigures['pending'] = { collection: 0, receipt: 0, result: 0, validation: 0, authorisation: 0 };
  for (const t of timelines) {
    if (t.authorisedAt !== undefined) continue;
    // A report authorised without a separate validation step is done; an open one waits at its first gap.
    const waiting = PENDING.find(([, field]) => t[field] === undefined);
    if (waiting) pending[waiting[0]]++;
  }
  return { date, stages, breaches, pending };
}
