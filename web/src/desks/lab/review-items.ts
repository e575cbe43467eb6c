/**
 * The device review desk's plain data (no DOM, no React, so the tests run it in Node): the order of
 * the review list and the analytes a result can be assigned to on a scanned specimen.
 */
import type { CatalogueTest, ReviewItem, SpecimenView } from '../../../../src/departments/lab/lab-api.js';
import { LAB } from './lab.js';

export const reviewPath = {
  list: `${LAB}/review`,
  assign: (id: string) => `${LAB}/review/${encodeURIComponent(id)}/assign`,
  discard: (id: string) => `${LAB}/review/${encodeURIComponent(id)}/discard`,
};

const instant = (iso: string) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Newest first: the result that just came off the analyzer is the one whose tube is still on the
 * bench. The server sends them oldest first; equal times (one message) keep the server's order.
 */
export function newestFirst(items: ReviewItem[]): ReviewItem[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => instant(b.item.receivedAt) - instant(a.item.receivedAt) || a.i - b.i).map((x) => x.item);
}

/** The value as the instrument sent it, with its units when it sent any. */
export const valueText = (item: Pick<ReviewItem, 'value' | 'units'>): string => (item.units ? `${item.value} ${item.units}` : item.value);

export interface AnalyteChoice {
  key: string;
  name: string;
  unit?: string;
  /** The tests on the tube that measure it (the server files the value under the first open one). */
  tests: string[];
  /** False when the instrument sent other units: the server refuses such an assignment, so the desk says so beside it. */
  unitsAgree: boolean;
}

/** Units compared as the technician reads them: case and spaces aside, µ and u alike. */
const unitWords = (unit: string | undefined) => (unit ?? '').toLowerCase().replace(/µ|μ/g, 'u').replace(/\s+/g, '');

/**
 * The analytes a review item can go to on this specimen: every analyte of every test ordered on it,
 * in the catalogue's order, each once (the assignment names the analyte, not the order). The units
 * check is only a hint (the server knows each analyte's UCUM code too and decides); a value sent
 * without units agrees with anything, as on the server.
 */
export function analyteChoices(specimen: Pick<SpecimenView, 'orders'>, catalogue: CatalogueTest[] | undefined, sentUnits: string | undefined): AnalyteChoice[] {
  const choices = new Map<string, AnalyteChoice>();
  for (const order of specimen.orders) {
    const test = catalogue?.find((t) => t.id === order.test || t.key === order.test);
    for (const analyte of test?.analytes ?? []) {
      const known = choices.get(analyte.key);
      if (known) {
        if (!known.tests.includes(order.testName)) known.tests.push(order.testName);
        continue;
      }
      const agree = !sentUnits?.trim() || unitWords(sentUnits) === unitWords(analyte.unit);
      choices.set(analyte.key, { key: analyte.key, name: analyte.name, ...(analyte.unit ? { unit: analyte.unit } : {}), tests: [order.testName], unitsAgree: agree });
    }
  }
  return [...choices.values()];
}

/**
 * The accession to offer in the scan field for an item: what the instrument sent, when it looks like
 * one of ours at all (digits), so Enter tries it; otherwise nothing, and the technician scans the tube.
 */
export const offeredAccession = (item: Pick<ReviewItem, 'accession'>): string => (item.accession && /^\d+$/.test(item.accession) ? item.accession : '');
