/**
 * What the laboratory desks share, as plain data: the API's paths (src/departments/lab/lab-api.ts,
 * types only: lab-fhir.ts next to it needs Node), the order of the phlebotomy list, the checks made on
 * a result as it is typed, the body of a result entry, and how flags and minutes are written.
 * No DOM, no React, so the tests run it in Node.
 */
import type {
  CatalogueAnalyte, CatalogueTest, LabSectionKey, OrderBrief, PhlebotomyItem, Priority, ResultEntryRequest, ResultValue,
  StageFigures, WorklistItem,
} from '../../../../src/departments/lab/lab-api.js';
import type { Flag } from '../../../../src/departments/lab/lab-fhir.js';
import { verhoeffValid } from '../../../../src/departments/registration/uhid.js';

export const LAB = '/api/lab';

export const labPath = {
  catalogue: `${LAB}/catalogue`,
  orders: `${LAB}/orders`,
  phlebotomy: (date: string) => `${LAB}/phlebotomy?date=${encodeURIComponent(date)}`,
  collections: `${LAB}/collections`,
  byAccession: (accession: string) => `${LAB}/specimens?accession=${encodeURIComponent(accession)}`,
  receive: (specimen: string) => `${LAB}/specimens/${encodeURIComponent(specimen)}/receive`,
  reject: (specimen: string) => `${LAB}/specimens/${encodeURIComponent(specimen)}/reject`,
  label: (specimen: string) => `${LAB}/specimens/${encodeURIComponent(specimen)}/label.pdf`,
  results: (specimen: string) => `${LAB}/specimens/${encodeURIComponent(specimen)}/results`,
  worklist: (stage: WorklistItem['stage'], section?: LabSectionKey | '') =>
    `${LAB}/worklist?stage=${stage}${section ? `&section=${encodeURIComponent(section)}` : ''}`,
  reports: (query: { status?: string; patient?: string; date?: string }) => {
    const q = Object.entries(query).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
    return `${LAB}/reports${q ? `?${q}` : ''}`;
  },
  report: (id: string) => `${LAB}/reports/${encodeURIComponent(id)}`,
  reportPdf: (id: string) => `${LAB}/reports/${encodeURIComponent(id)}/report.pdf`,
  validate: (id: string) => `${LAB}/reports/${encodeURIComponent(id)}/validate`,
  authorise: (id: string) => `${LAB}/reports/${encodeURIComponent(id)}/authorise`,
  amend: (id: string) => `${LAB}/reports/${encodeURIComponent(id)}/amend`,
  tat: (date: string) => `${LAB}/tat?date=${encodeURIComponent(date)}`,
  alerts: (status: 'open' | 'all') => `${LAB}/critical-alerts?status=${status}`,
  acknowledge: (id: string) => `${LAB}/critical-alerts/${encodeURIComponent(id)}/acknowledge`,
};

export const SECTIONS: Record<LabSectionKey, string> = {
  haematology: 'Haematology', biochemistry: 'Biochemistry', 'clinical-pathology': 'Clinical pathology', serology: 'Serology',
};

export const PRIORITY_TEXT: Record<Priority, string> = { stat: 'STAT', urgent: 'Urgent', routine: 'Routine' };
const PRIORITY_RANK: Record<Priority, number> = { stat: 0, urgent: 1, routine: 2 };

/** The reasons the server takes, from the server's own list (a module without Node imports). */
export { REJECTION_REASONS } from '../../../../src/departments/lab/specimen-rejection.js';

/** The most pressing priority among a patient's orders. */
export function highestPriority(orders: Pick<OrderBrief, 'priority'>[]): Priority {
  return orders.reduce<Priority>((best, o) => (PRIORITY_RANK[o.priority] < PRIORITY_RANK[best] ? o.priority : best), 'routine');
}

const oldest = (orders: Pick<OrderBrief, 'orderedAt'>[]) => orders.reduce((min, o) => (o.orderedAt < min ? o.orderedAt : min), '9999');

/**
 * The phlebotomy list as the phlebotomist works it: stat first, then urgent, then routine; within
 * one priority the patient who has waited longest first. The server sends it sorted too; sorting
 * here keeps the order right however the list was merged or refreshed.
 */
export function sortPhlebotomy(items: PhlebotomyItem[]): PhlebotomyItem[] {
  return [...items].sort((a, b) => PRIORITY_RANK[highestPriority(a.orders)] - PRIORITY_RANK[highestPriority(b.orders)]
    || oldest(a.orders).localeCompare(oldest(b.orders)) || a.patient.name.localeCompare(b.patient.name));
}

/** A CSS class for a cap colour ("Light blue" → cap-light-blue); unknown colours get a plain swatch with the word. */
export const capClass = (colour: string): string => `cap cap-${colour.trim().toLowerCase().replace(/[^a-z]+/g, '-')}`;

/**
 * What a barcode scanner typed: scanners add a prefix or suffix character on some settings and
 * people paste with spaces, so control characters and spaces go; the accession itself is kept as is.
 */
export function scannedAccession(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, '');
}

/**
 * What is wrong with an accession before asking the server (src/departments/lab/accession.ts: 11
 * digits, YYMMDD + sequence + a Verhoeff check digit), so a mistyped number is caught at the desk
 * with words the technician can act on; undefined when it is well formed.
 */
export function accessionProblem(accession: string): string | undefined {
  if (!/^\d+$/.test(accession)) return `"${accession}" is not an accession number: those are digits only. Scan the tube's barcode.`;
  if (accession.length !== 11) return `An accession number has 11 digits; ${accession} has ${accession.length}. Scan again, or type it from the label.`;
  if (!verhoeffValid(accession)) return `${accession} does not check out (a digit misread or two swapped): scan again, or type it from the label.`;
  return undefined;
}

/** One input on the bench: an analyte of one order on the specimen. */
export interface EntryRow {
  /** order|analyte: the input's name and the key of its value. */
  key: string;
  order: string;
  testName: string;
  analyte: string;
  name: string;
  kind: CatalogueAnalyte['kind'];
  unit?: string;
  decimals?: number;
  answers?: Array<{ code: string; display: string }>;
  reference?: string;
  /** What is already recorded (a re-entry before validation replaces it). */
  value?: string;
  flag?: Flag;
  critical?: boolean;
}

export const rowKey = (order: string, analyte: string): string => `${order}|${analyte}`;

/**
 * The inputs for a specimen: every analyte of every order on it, in the catalogue's order, with the
 * unit and reference interval the worklist gives. The worklist's results decide what is asked; the
 * catalogue adds how to type it (decimals, coded answers). A test missing from the catalogue still
 * gets its worklist analytes, as free values.
 */
export function entryRows(items: WorklistItem[], catalogue: CatalogueTest[] | undefined): EntryRow[] {
  const rows: EntryRow[] = [];
  for (const item of items) {
    const test = catalogue?.find((t) => t.id === item.order.test || t.key === item.order.test);
    const known = new Map(item.results.map((r) => [r.analyte, r]));
    const analytes: Array<{ key: string; name: string; kind: CatalogueAnalyte['kind']; def?: CatalogueAnalyte }> =
      test ? test.analytes.map((a) => ({ key: a.key, name: a.name, kind: a.kind, def: a })) : [];
    for (const r of item.results) if (!analytes.some((a) => a.key === r.analyte)) analytes.push({ key: r.analyte, name: r.name, kind: r.kind });
    for (const a of analytes) {
      const result: ResultValue | undefined = known.get(a.key);
      rows.push({
        key: rowKey(item.order.id, a.key), order: item.order.id, testName: item.order.testName, analyte: a.key,
        name: result?.name ?? a.name, kind: result?.kind ?? a.kind, unit: result?.unit ?? a.def?.unit, decimals: a.def?.decimals,
        answers: a.def?.answers, reference: result?.reference, value: result?.value, flag: result?.flag, critical: result?.critical,
      });
    }
  }
  return rows;
}

export type ValueCheck = { ok: true } | { ok: false; message: string };

/** "<", ">=", "≤" … before a number: below the analyzer's range ("<0.1"). The server takes them too. */
const COMPARATOR = String.raw`(?:<=|>=|<|>|≤|≥)?\s*`;
const PARTIAL_NUMBER = new RegExp(`^${COMPARATOR}\\d*\\.?\\d*$`);
const FULL_NUMBER = new RegExp(`^${COMPARATOR}(?:\\d+(?:\\.\\d+)?|\\.\\d+)$`);

/**
 * A value as it is being typed: a number may be unfinished ("12."), but a letter, a comma or a
 * second point is wrong at once, and so are more decimals than the analyte is reported to (the
 * server refuses those from a person: they are a slip). `complete` is the check at Save, where an
 * unfinished number is wrong. An empty value is not checked: it is simply not sent. Commas are
 * refused outright: the server drops them as thousands separators, so "4,5" would become 45.
 */
export function checkValue(row: Pick<EntryRow, 'kind' | 'decimals' | 'answers' | 'name'>, text: string, complete = false): ValueCheck {
  const typed = text.trim();
  if (!typed) return { ok: true };
  if (row.kind === 'quantity') {
    if (typed.includes(',')) return { ok: false, message: 'No commas: 4.5 for four point five, 1200 for twelve hundred' };
    if (typed.startsWith('-')) return { ok: false, message: 'A result is not negative' };
    if (!PARTIAL_NUMBER.test(typed)) return { ok: false, message: 'A number only: digits and one decimal point (< or > before it if out of range)' };
    if (complete && !FULL_NUMBER.test(typed)) return { ok: false, message: 'Finish the number' };
    const places = typed.includes('.') ? typed.length - typed.indexOf('.') - 1 : 0;
    if (row.decimals !== undefined && places > row.decimals) {
      return { ok: false, message: row.decimals === 0 ? `${row.name} is reported in whole numbers` : `${row.name} is reported to ${row.decimals} decimal${row.decimals === 1 ? '' : 's'}` };
    }
    return { ok: true };
  }
  if (row.kind === 'coded' && row.answers?.length) {
    const match = codedAnswer(row.answers, typed);
    if (!match) return { ok: false, message: `One of: ${row.answers.map((a) => a.display).join(', ')}` };
  }
  if (typed.length > 500) return { ok: false, message: 'At most 500 characters' };
  return { ok: true };
}

/** As the server compares answers: case, spaces and punctuation aside ("non reactive" is "Non-reactive"), "+" kept (1+, 2+). */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9+]/g, '');

/** The coded answer typed or picked, by its code or its words. */
export function codedAnswer(answers: Array<{ code: string; display: string }>, typed: string): { code: string; display: string } | undefined {
  const t = squash(typed);
  return t ? answers.find((a) => squash(a.code) === t || squash(a.display) === t) : undefined;
}

/** The key of an error about the whole entry rather than one value. */
export const FORM = '_form';

/** Checks every filled value as at Save; the errors by row key (FORM when nothing was typed). */
export function checkEntry(rows: EntryRow[], values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const row of rows) {
    const check = checkValue(row, values[row.key] ?? '', true);
    if (!check.ok) errors[row.key] = check.message;
  }
  if (Object.keys(errors).length === 0 && !rows.some((r) => (values[r.key] ?? '').trim())) errors[FORM] = 'Enter at least one result';
  return errors;
}

/** POST /specimens/:id/results: only the values typed, coded ones as the server's words. */
export function entryBody(rows: EntryRow[], values: Record<string, string>): ResultEntryRequest {
  const results: ResultEntryRequest['results'] = [];
  for (const row of rows) {
    const typed = (values[row.key] ?? '').trim();
    if (!typed) continue;
    const coded = row.kind === 'coded' && row.answers ? codedAnswer(row.answers, typed) : undefined;
    results.push({ order: row.order, analyte: row.analyte, value: coded ? coded.display : typed });
  }
  return { results };
}

/** The worklist grouped by specimen (one tube may carry several orders), oldest receipt first. */
export function bySpecimen(items: WorklistItem[]): Array<{ specimen: WorklistItem['specimen']; patient: WorklistItem['patient']; items: WorklistItem[] }> {
  const groups = new Map<string, { specimen: WorklistItem['specimen']; patient: WorklistItem['patient']; items: WorklistItem[] }>();
  for (const item of items) {
    const group = groups.get(item.specimen.id) ?? { specimen: item.specimen, patient: item.patient, items: [] };
    group.items.push(item);
    groups.set(item.specimen.id, group);
  }
  const rank = (g: { items: WorklistItem[] }) => PRIORITY_RANK[highestPriority(g.items.map((i) => i.order))];
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || a.specimen.receivedAt.localeCompare(b.specimen.receivedAt));
}

/** The flag as the report prints it: H, L, HH, LL, A (abnormal); nothing for normal. */
export function flagText(result: Pick<ResultValue, 'flag' | 'critical'>): string {
  if (!result.flag || result.flag === 'N') return result.critical ? 'critical' : '';
  return result.critical || result.flag === 'HH' || result.flag === 'LL' ? `${result.flag} critical` : result.flag;
}

export const isCritical = (result: Pick<ResultValue, 'flag' | 'critical'>): boolean =>
  result.critical === true || result.flag === 'HH' || result.flag === 'LL';

/** Minutes as the turnaround board writes them: 45 min, 2 h 05 min, — when none. */
export function durationText(minutes: number | undefined | null): string {
  if (minutes === undefined || minutes === null || !Number.isFinite(minutes)) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export const STAGE_TEXT: Record<StageFigures['stage'], string> = {
  collection: 'Order → collection', receipt: 'Collection → receipt', result: 'Receipt → first result',
  validation: 'Result → validation', authorisation: 'Validation → authorisation', total: 'Receipt → authorised (total)',
};

export const REPORT_STATUS_TEXT: Record<string, string> = {
  partial: 'Entered, not yet validated', preliminary: 'Validated, awaiting authorisation', final: 'Authorised', amended: 'Amended',
};

export const patientLine = (p: { name: string; uhid: string; gender?: string; ageYears?: number }): string =>
  [p.uhid, p.ageYears !== undefined ? `${p.ageYears} y` : undefined, p.gender].filter(Boolean).join(' · ');
