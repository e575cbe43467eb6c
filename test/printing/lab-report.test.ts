import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFRawStream, PDFRef } from 'pdf-lib';
import type { ReportView, ResultValue } from '../../src/departments/lab/lab-api.js';
import { barcodeSymbol } from '../../src/printing/barcode.js';
import { labReportPdf, type LabReportInput } from '../../src/printing/lab-report.js';
import { mm } from '../../src/printing/layout.js';
import { decodeRendered, inspectPdf, pdfToText, popplerInstalled, POPPLER_MISSING, renderPage, subpathsOf } from './pdf-inspect.js';

const poppler = { skip: popplerInstalled() ? false : POPPLER_MISSING };

const q = (analyte: string, name: string, value: string, unit: string, reference: string, extra: Partial<ResultValue> = {}): ResultValue =>
  ({ analyte, name, kind: 'quantity', value, unit, reference, flag: 'N', status: 'final', ...extra });

const CBC: ResultValue[] = [
  q('hb', 'Haemoglobin', '6.2', 'g/dL', '13.0 – 17.0', { flag: 'LL', critical: true }),
  q('tlc', 'Total leucocyte count', '14.2', '×10³/µL', '4.0 – 10.0', { flag: 'H' }),
  q('rbc', 'RBC count', '3.10', '×10⁶/µL', '4.5 – 5.5', { flag: 'L' }),
  q('pcv', 'Haematocrit (PCV)', '21.0', '%', '40 – 50', { flag: 'L' }),
  q('mcv', 'MCV', '67.7', 'fL', '83 – 101', { flag: 'L' }),
  q('mch', 'MCH', '20.0', 'pg', '27 – 32', { flag: 'L' }),
  q('mchc', 'MCHC', '29.5', 'g/dL', '31.5 – 34.5', { flag: 'L' }),
  q('rdw', 'RDW-CV', '17.8', '%', '11.6 – 14.0', { flag: 'H' }),
  q('plt', 'Platelet count', '612', '×10³/µL', '150 – 410', { flag: 'H' }),
  q('mpv', 'MPV', '9.1', 'fL', '7.5 – 11.5'),
  q('neut', 'Neutrophils', '78', '%', '40 – 80'),
  q('lymph', 'Lymphocytes', '15', '%', '20 – 40', { flag: 'L' }),
  q('mono', 'Monocytes', '4', '%', '2 – 10'),
  q('eos', 'Eosinophils', '2', '%', '1 – 6'),
  q('baso', 'Basophils', '1', '%', '0 – 2'),
  q('anc', 'Absolute neutrophil count', '11.08', '×10³/µL', '2.0 – 7.0', { flag: 'H' }),
  q('alc', 'Absolute lymphocyte count', '2.13', '×10³/µL', '1.0 – 3.0'),
  q('amc', 'Absolute monocyte count', '0.57', '×10³/µL', '0.2 – 1.0'),
  q('aec', 'Absolute eosinophil count', '0.28', '×10³/µL', '0.02 – 0.5'),
  q('abc', 'Absolute basophil count', '0.14', '×10³/µL', '0.02 – 0.1', { flag: 'H' }),
];

const coded = (analyte: string, name: string, value: string, extra: Partial<ResultValue> = {}): ResultValue =>
  ({ analyte, name, kind: 'coded', value, flag: 'N', status: 'final', ...extra });

const URINE: ResultValue[] = [
  { analyte: 'colour', name: 'Colour', kind: 'text', value: 'Pale yellow', status: 'final' },
  { analyte: 'appearance', name: 'Appearance', kind: 'text', value: 'Slightly turbid', status: 'final' },
  q('sg', 'Specific gravity', '1.020', '', '1.005 – 1.030'),
  q('ph', 'pH', '6.0', '', '4.6 – 8.0'),
  coded('protein', 'Protein', '2+', { flag: 'A' }),
  coded('glucose', 'Glucose', 'Nil'),
  coded('ketones', 'Ketone bodies', 'Nil'),
  coded('blood', 'Blood', 'Trace', { flag: 'A' }),
  coded('bilirubin', 'Bilirubin', 'Negative'),
  coded('urobilinogen', 'Urobilinogen', 'Normal'),
  q('pus', 'Pus cells', '8-10', '/hpf', '0 – 5', { flag: 'H' }),
  q('rbcu', 'Red blood cells', 'Nil', '/hpf', '0 – 2'),
  { analyte: 'remarks', name: 'Microscopy remarks', kind: 'text', value: 'Occasional granular casts seen. Calcium oxalate crystals present. No yeast cells or parasites seen in the centrifuged deposit.', status: 'final' },
];

function report(results: ResultValue[], extra: Partial<ReportView> = {}): ReportView {
  return {
    id: 'dr-1',
    order: { id: 'sr-1', test: 'lab-cbc', testName: 'Complete blood count (CBC)', priority: 'routine', orderedAt: '2026-11-27T03:10:00Z', requester: 'Dr. Meera Iyer' },
    patient: { id: 'p-1', name: 'Anita Sharma', uhid: '1000-0012-3456', gender: 'female', ageYears: 38 },
    specimen: { id: 'sp-1', accession: 'L2611270001', name: 'Whole blood (EDTA)', collectedAt: '2026-11-27T03:35:00Z', receivedAt: '2026-11-27T04:02:00Z' },
    section: 'haematology',
    status: 'final',
    results,
    enteredAt: '2026-11-27T05:00:00Z',
    validatedBy: 'Ramesh Kumar', validatedAt: '2026-11-27T05:20:00Z',
    authorisedBy: 'Dr. Sunita Reddy', authorisedAt: '2026-11-27T06:05:00Z',
    pdf: '/api/lab/reports/dr-1/report.pdf',
    ...extra,
  };
}

const INPUT: LabReportInput = { hospitalName: 'Nirantar Demo Hospital, New Delhi', report: report(CBC), printedAt: '2026-11-27T08:30:00Z', printedBy: 'Lakshmi Nair' };

/** pdftotext -layout, page by page (pages are separated by form feeds). */
function pages(pdf: Uint8Array): string[] {
  return pdfToText(pdf).split('\f').filter((p) => p.trim() !== '');
}

/** The line of the results table that starts with `name`. */
function rowOf(text: string, name: string): string {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
  assert.ok(line, `a row for ${name} in:\n${text}`);
  return line;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A reference interval as a pattern: pdftotext drops the spaces around the dash of a short one ("1–6"). */
const interval = (s: string) => s.split(' – ').map(escape).join('\\s*–\\s*');

test('a final CBC: one A4 page, every analyte with its value, unit, interval and flag, in that order', poppler, async () => {
  const pdf = await labReportPdf(INPUT);
  const inspected = await inspectPdf(pdf);
  assert.equal(inspected.doc.getPageCount(), 1);
  assert.ok(Math.abs(inspected.size.width - mm(210)) < 0.01 && Math.abs(inspected.size.height - mm(297)) < 0.01, 'A4');
  const [text] = pages(pdf);
  for (const r of CBC) {
    const unit = r.unit!.replace('⁶', '^6'); // the standard fonts have no superscript 6
    const flag = r.flag === 'N' ? '' : r.flag === 'LL' ? 'LL CRITICAL' : r.flag!;
    assert.match(rowOf(text, r.name), new RegExp(`^\\s*${escape(r.name)}\\s+${escape(r.value!)}\\s+${escape(unit)}\\s+${interval(r.reference!)}${flag ? `\\s+${flag}` : ''}\\s*$`), r.name);
  }
  for (const expected of [
    'Nirantar Demo Hospital, New Delhi', 'LABORATORY REPORT · Haematology', 'Anita Sharma', '1000-0012-3456', '38 years / Female',
    'Dr. Meera Iyer', 'Whole blood (EDTA)', 'L2611270001', 'Complete blood count (CBC)',
    // India time: 03:35 UTC is 09:05 IST.
    '27-11-2026 09:05 IST', '27-11-2026 09:32 IST', '27-11-2026 08:40 IST',
    'Technically validated by', 'Ramesh Kumar, 27-11-2026 10:50 IST', 'Authorised by (pathologist)', 'Dr. Sunita Reddy, 27-11-2026 11:35 IST',
    'Printed 27-11-2026 14:00 IST by Lakshmi Nair', 'Page 1 of 1', '*** End of report ***',
  ]) assert.ok(text.includes(expected), `"${expected}" in:\n${text}`);
  assert.match(text, /Status\s+FINAL\s*\n/);
  assert.doesNotMatch(text, /not authorised|AMENDED|continued/i);
});

test('abnormal values and their flags are bold; normal ones are not', async () => {
  const pdf = await labReportPdf(INPUT);
  const inspected = await inspectPdf(pdf);
  // Each Tj comes after its font selection: pair every text run with the font it was drawn in.
  const runs = [...(await pageText(pdf))];
  const fontOf = (text: string) => runs.find((r) => r.text === text)?.font;
  const boldFont = fontOf('Flag'); // the column heading is bold
  assert.ok(boldFont);
  assert.equal(fontOf('6.2'), boldFont, 'the critical haemoglobin is bold');
  assert.equal(fontOf('612'), boldFont, 'a high platelet count is bold');
  assert.equal(fontOf('LL CRITICAL'), boldFont);
  assert.notEqual(fontOf('9.1'), boldFont, 'a normal MPV is not');
  assert.ok(inspected.texts.includes('LL CRITICAL'));
});

/** The content stream of a page, inflated (pdf-lib deflates content streams). */
async function contentOf(pdf: Uint8Array, pageIndex: number): Promise<string> {
  const { doc } = await inspectPdf(pdf);
  const contents = doc.getPage(pageIndex).node.Contents();
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  return refs.map((ref) => {
    const s = ref instanceof PDFRef ? doc.context.lookup(ref) : ref;
    return s instanceof PDFRawStream ? inflateSync(s.getContents()).toString('latin1') : '';
  }).join('\n');
}

/** Each text run on the first page with the font it was drawn in (pdf-lib writes `/Font-n size Tf` before `Tj`). */
async function pageText(pdf: Uint8Array): Promise<Array<{ text: string; font: string }>> {
  const runs: Array<{ text: string; font: string }> = [];
  let font = '';
  for (const m of (await contentOf(pdf, 0)).matchAll(/\/(\S+) [\d.]+ Tf|<([0-9A-Fa-f]*)>\s*Tj/g)) {
    if (m[1]) font = m[1].replace(/-\d+$/, ''); // pdf-lib's resource names: the font's name and a number
    else runs.push({ text: Buffer.from(m[2], 'hex').toString('latin1'), font });
  }
  return runs;
}

test('the urine routine (13 analytes): coded and text results, abnormal ones flagged, a long remark wrapped, nothing cut', poppler, async () => {
  const pdf = await labReportPdf({ ...INPUT, report: report(URINE, { section: 'clinical-pathology', order: { ...report([]).order, testName: 'Urine routine examination', test: 'lab-urine' }, specimen: { ...report([]).specimen, name: 'Urine (sterile container)' } }) });
  const [text] = pages(pdf);
  assert.ok(text.includes('LABORATORY REPORT · Clinical Pathology'));
  assert.match(rowOf(text, 'Colour'), /Colour\s+Pale yellow\s*$/);
  assert.match(rowOf(text, 'Specific gravity'), /Specific gravity\s+1\.020\s+1\.005 – 1\.030\s*$/);
  assert.match(rowOf(text, 'Protein'), /Protein\s+2\+\s+A\s*$/);
  assert.match(rowOf(text, 'Blood'), /Blood\s+Trace\s+A\s*$/);
  assert.match(rowOf(text, 'Glucose'), /Glucose\s+Nil\s*$/);
  assert.match(rowOf(text, 'Pus cells'), /Pus cells\s+8-10\s+\/hpf\s+0\s*–\s*5\s+H\s*$/);
  for (const r of URINE) rowOf(text, r.name);
  // The remark runs over several lines across the result, unit and interval columns, every word kept.
  const flat = text.replace(/\s+/g, ' ');
  assert.ok(flat.includes('Microscopy remarks Occasional granular casts seen.'), flat);
  for (const word of URINE[12].value!.split(' ')) assert.ok(flat.includes(word), word);
  assert.ok(!text.includes('...'), 'nothing shortened with an ellipsis');
});

test('an amended report: a banner with the reasons, the earlier value under the changed result', poppler, async () => {
  const results = CBC.map((r) => r.analyte === 'plt'
    ? { ...r, value: '212', flag: 'N' as const, status: 'amended' as const, previous: [{ value: '612', at: '2026-11-27T06:05:00Z' }] }
    : r);
  const amended = report(results, { status: 'amended', amendments: [{ reason: 'Platelet clumps on the smear; recounted on a citrate sample', by: 'Dr. Sunita Reddy', at: '2026-11-27T07:40:00Z' }] });
  const [text] = pages(await labReportPdf({ ...INPUT, report: amended }));
  assert.match(text, /AMENDED REPORT\s+This report replaces the one released earlier/);
  assert.match(text, /Status\s+AMENDED REPORT — FINAL/);
  assert.ok(text.includes('Amended 27-11-2026 13:10 IST, by Dr. Sunita Reddy: Platelet clumps on the smear; recounted on a citrate sample'), text);
  assert.match(rowOf(text, 'Platelet count'), /Platelet count\s+212\s+×10³\/µL\s+150 – 410\s*$/, 'the new value, no longer flagged');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith('Platelet count '));
  assert.match(lines[at + 1], /Amended: earlier value 612 ×10³\/µL, reported 27-11-2026 11:35 IST/);
  assert.equal(text.match(/earlier value/g)?.length, 1, 'only the changed result shows an earlier value');
});

test('a preliminary report says it is not authorised, and prints no authoriser', poppler, async () => {
  const preliminary = report(CBC, { status: 'preliminary', validatedBy: undefined, validatedAt: undefined, authorisedBy: undefined, authorisedAt: undefined });
  const [text] = pages(await labReportPdf({ ...INPUT, report: preliminary }));
  assert.match(text, /Status\s+PRELIMINARY — NOT AUTHORISED/);
  assert.match(text, /Technically validated by\s+not yet validated/);
  assert.match(text, /Authorised by \(pathologist\)\s+not yet authorised/);
  assert.ok(text.includes('Preliminary results, not authorised by a pathologist'));
  assert.ok(!text.includes('Sunita Reddy'), 'no name the view does not carry');

  const partial = report([...CBC.slice(0, 3), { analyte: 'esr', name: 'ESR', kind: 'quantity', unit: 'mm/h', reference: '0 – 20' }], { status: 'partial', authorisedBy: undefined, authorisedAt: undefined });
  const [partialText] = pages(await labReportPdf({ ...INPUT, report: partial }));
  assert.match(partialText, /Status\s+PARTIAL — some results awaited — NOT AUTHORISED/);
  assert.match(rowOf(partialText, 'ESR'), /ESR\s+Awaited\s+mm\/h\s+0 – 20\s*$/);
  assert.match(partialText, /Technically validated by\s+Ramesh Kumar/, 'a validation the view carries is printed');
});

test('60 analytes run over pages: each page has the header, the column headings and "Page i of N"', poppler, async () => {
  const many = Array.from({ length: 60 }, (_, i) => q(`a${i}`, `Analyte ${String(i + 1).padStart(2, '0')}`, (i * 1.5).toFixed(1), 'mg/dL', `${i} – ${i + 10}`, { flag: i % 7 === 0 ? 'H' : 'N' }));
  const preliminary = report(many, { status: 'preliminary', authorisedBy: undefined, authorisedAt: undefined });
  const pdf = await labReportPdf({ ...INPUT, report: preliminary });
  const texts = pages(pdf);
  const count = (await inspectPdf(pdf)).doc.getPageCount();
  assert.ok(count >= 2, `${count} pages`);
  assert.equal(texts.length, count);
  texts.forEach((text, i) => {
    assert.ok(text.includes(`L2611270001 · Page ${i + 1} of ${count}`), `page ${i + 1} numbered`);
    for (const h of ['Nirantar Demo Hospital, New Delhi', 'Anita Sharma', '1000-0012-3456', 'Complete blood count (CBC)']) assert.ok(text.includes(h), `page ${i + 1} repeats ${h}`);
    assert.match(text, /Investigation\s+Result\s+Unit\s+Biological reference interval\s+Flag/, `page ${i + 1} repeats the column headings`);
    assert.match(text, /PRELIMINARY — NOT AUTHORISED/, `page ${i + 1} says it is not authorised`);
    if (i > 0) assert.ok(text.includes(`continued from page ${i}`));
  });
  // Every analyte exactly once, in order, across the pages.
  const all = texts.join('\n');
  const order = many.map((r) => all.indexOf(`${r.name} `));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), 'every analyte, in order');
  for (const r of many) {
    assert.equal(all.split(`${r.name} `).length - 1, 1, r.name);
    assert.match(rowOf(all, r.name), new RegExp(`${escape(r.value!)}\\s+mg/dL\\s+${interval(r.reference!)}${r.flag === 'H' ? '\\s+H' : ''}\\s*$`));
  }
  assert.ok(texts[count - 1].includes('*** End of report ***'));
});

test('the accession barcode: the Code 128 of the accession on every page; printed, it scans back', poppler, async () => {
  const pdf = await labReportPdf(INPUT);
  const bars = subpathsOf(barcodeSymbol('L2611270001', 'code128'));
  assert.equal((await inspectPdf(pdf)).closedSubpaths, bars, 'one closed subpath per bar, and no other filled paths');
  // Rendered at 300 dpi, the top-right corner where the barcode is: 11.81 px per mm.
  const px = 300 / 25.4;
  const png = renderPage(pdf, 300);
  assert.equal(decodeRendered(png, 'code128', { x: Math.round(110 * px), y: Math.round(5 * px), width: Math.round(95 * px), height: Math.round(16 * px) }), 'L2611270001');

  const many = Array.from({ length: 60 }, (_, i) => q(`a${i}`, `Analyte ${i + 1}`, '1.0', 'mg/dL', '0 – 2'));
  const long = await labReportPdf({ ...INPUT, report: report(many) });
  const count = (await inspectPdf(long)).doc.getPageCount();
  assert.ok(count >= 2);
  for (let i = 0; i < count; i++) assert.equal((await contentOf(long, i)).match(/^h$/gm)?.length, bars, `the barcode on page ${i + 1}`);
});

test('the same input gives the same bytes, dated by the print time', async () => {
  const a = await labReportPdf(INPUT);
  const b = await labReportPdf({ ...INPUT, printedAt: new Date('2026-11-27T08:30:00Z') });
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
  const { doc } = await inspectPdf(a);
  assert.equal(doc.getCreationDate()?.toISOString(), '2026-11-27T08:30:00.000Z');
  assert.equal(doc.getModificationDate()?.toISOString(), '2026-11-27T08:30:00.000Z');
  const later = await labReportPdf({ ...INPUT, printedAt: '2026-11-27T09:30:00Z' });
  assert.ok(!Buffer.from(a).equals(Buffer.from(later)), 'a later print differs (its print time)');
});

test('text the standard fonts cannot draw: "≤" as "<=", other scripts as printable() does', poppler, async () => {
  const results = [q('chol', 'Total cholesterol', '182', 'mg/dL', 'Desirable ≤ 200'), q('tg', 'Triglycerides', '140', 'mg/dL', '≥ 40 − 150')];
  const hindi = report(results, { patient: { ...report([]).patient, name: 'अनीता Śarmā' }, section: 'biochemistry' });
  const [text] = pages(await labReportPdf({ ...INPUT, report: hindi }));
  assert.match(rowOf(text, 'Total cholesterol'), /182\s+mg\/dL\s+Desirable <= 200\s*$/);
  assert.match(rowOf(text, 'Triglycerides'), />= 40 - 150\s*$/);
  assert.ok(text.includes('????? Sarma'), text);
});

test('bad input is refused with a RangeError that names the field', async () => {
  const bad = (r: Partial<ReportView>, extra: Partial<LabReportInput> = {}) => labReportPdf({ ...INPUT, ...extra, report: report(CBC, r) });
  const specimen = report([]).specimen;
  await assert.rejects(bad({ specimen: { ...specimen, accession: 'L 2611' } }), (e: Error) => e instanceof RangeError && /accession/.test(e.message) && e.message.includes('"L 2611"'));
  await assert.rejects(bad({ specimen: { ...specimen, accession: '' } }), RangeError);
  await assert.rejects(bad({ specimen: { ...specimen, accession: 'X'.repeat(31) } }), /accession/);
  await assert.rejects(bad({ specimen: { ...specimen, collectedAt: 'this morning' } }), (e: Error) => e instanceof RangeError && /specimen\.collectedAt/.test(e.message));
  await assert.rejects(bad({}, { printedAt: 'now' }), (e: Error) => e instanceof RangeError && /printedAt/.test(e.message));
  await assert.rejects(bad({}, { hospitalName: ' ' }), /hospitalName/);
  await assert.rejects(bad({ authorisedBy: undefined }), (e: Error) => e instanceof RangeError && /final report names who authorised it/.test(e.message));
  await assert.rejects(bad({ status: 'amended' }), /reasons for its amendments/);
  await assert.rejects(bad({ status: 'amended', amendments: [{ reason: 'x', by: 'y', at: 'yesterday' }] }), /amendments\[0\]\.at/);
});
