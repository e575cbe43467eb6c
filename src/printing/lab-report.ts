/**
 * The printed laboratory report (A4), as a pathology lab in India hands it to a patient or files it:
 * the hospital, who the patient is (name, UHID, age and sex), the accession number as a Code 128
 * barcode and in print, the test and section, the specimen and when it was collected and received
 * (India time), the results table (investigation, result, unit, biological reference interval, flag),
 * the report's status, who validated and who authorised it, and when and by whom it was printed.
 *
 * What it prints comes from the ReportView only: no signature images, no names or qualifications
 * the view does not carry; a missing value prints as "Awaited", a missing validation or authorisation
 * as "not yet". A preliminary or partial report says on every page that it is not authorised, so a
 * page that comes loose cannot pass for a final one; an amended report says so in a banner with the
 * reasons, and every changed result shows its earlier values under it.
 *
 * Results run over as many pages as they need: every page repeats the header (hospital, patient,
 * accession barcode, test, status) and the table's column headings, and is numbered "Page i of N".
 *
 * Pure: the same input gives the same bytes (the document's dates are the print time from the input).
 * PageLayout (layout.ts) lays out one page; this report needs several, so it draws with pdf-lib
 * through a small paged writer below that uses the same units (mm from the top left), fonts and
 * barcode symbols.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { ReportView, ResultValue } from '../departments/lab/lab-api.js';
import { barcodeSymbol, type LinearSymbol } from './barcode.js';
import { printable, standardFonts, type Fonts } from './fonts.js';
import { indiaDateTime } from './india-time.js';
import { BLACK, GREY, mm, PAGE_SIZES, PRODUCER, PT_PER_MM } from './layout.js';

export interface LabReportInput {
  hospitalName: string;
  report: ReportView;
  /** When the report is printed: an instant (Date or ISO 8601 text); also the PDF's dates. */
  printedAt: Date | string;
  /** Who printed it (the signed-in user's name), when known. */
  printedBy?: string;
}

/** The same rule as the specimen label's: what the tube's barcode carries, so the two scan alike. */
const ACCESSION = /^[\x21-\x7e]{1,30}$/;

const { width: PAGE_WIDTH, height: PAGE_HEIGHT } = PAGE_SIZES.A4;
const LEFT = 15;
const RIGHT = PAGE_WIDTH - 15;
/** Where the repeated header ends and the body starts, on every page. */
const BODY_TOP = 66;
/** The body ends above the footer (printed at, page i of N). */
const BODY_BOTTOM = 281;

const LIGHT = rgb(0.6, 0.6, 0.6);

const SECTION: Record<ReportView['section'], string> = {
  'haematology': 'Haematology',
  'biochemistry': 'Biochemistry',
  'clinical-pathology': 'Clinical Pathology',
  'serology': 'Serology',
};

const SEX: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' };

/** The results table's columns, x and width in mm (180 mm between the margins). */
const COLUMNS = {
  investigation: { x: LEFT, width: 56 },
  result: { x: LEFT + 58, width: 26 },
  unit: { x: LEFT + 86, width: 22 },
  // 44 mm: its heading, "Biological reference interval", is 40 mm in bold 8.5 pt.
  reference: { x: LEFT + 110, width: 44 },
  // "HH CRITICAL" is 20 mm in bold 9 pt.
  flag: { x: LEFT + 156, width: RIGHT - (LEFT + 156) },
} as const;

const TABLE_SIZE = 9;

/**
 * Signs common in reference intervals and units that the standard fonts cannot draw, written the way
 * a typist would ("<=", "10^9/L") rather than left to printable(), which would print '?' and turn
 * "≤ 200" into a different statement. ¹ ² ³ are Latin-1 and print as they are.
 */
const LAB_SIGNS: Record<string, string> = {
  '≤': '<=', '≥': '>=', '−': '-', '⁰': '^0', '⁴': '^4', '⁵': '^5', '⁶': '^6', '⁷': '^7', '⁸': '^8', '⁹': '^9',
};

function labText(text: string): string {
  return printable(text.replace(/[≤≥−⁰⁴-⁹]/g, (c) => LAB_SIGNS[c] ?? c)).trim();
}

/** An instant from the input, or a RangeError naming the field. */
function instant(field: string, value: Date | string): Date {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`lab report: ${field} is not a date and time: "${String(value)}"`);
  return date;
}

function checked(input: LabReportInput): Date {
  const { report } = input;
  if (!input.hospitalName || input.hospitalName.trim() === '') throw new RangeError('lab report: hospitalName is empty');
  if (!ACCESSION.test(report.specimen.accession)) {
    throw new RangeError(`lab report: an accession number is 1-30 printable ASCII characters without spaces, not "${report.specimen.accession}"`);
  }
  const printedAt = instant('printedAt', input.printedAt);
  instant('specimen.collectedAt', report.specimen.collectedAt);
  if (report.specimen.receivedAt !== undefined) instant('specimen.receivedAt', report.specimen.receivedAt);
  if (report.validatedAt !== undefined) instant('validatedAt', report.validatedAt);
  if (report.authorisedAt !== undefined) instant('authorisedAt', report.authorisedAt);
  report.amendments?.forEach((a, i) => instant(`amendments[${i}].at`, a.at));
  report.results.forEach((r, i) => r.previous?.forEach((p, j) => instant(`results[${i}].previous[${j}].at`, p.at)));
  // A report that says Final is read as released by a pathologist: it must say who and when, or it
  // is not printed (better a refused print than a final report nobody signed).
  if ((report.status === 'final' || report.status === 'amended') && (!report.authorisedBy || !report.authorisedAt)) {
    throw new RangeError(`lab report: a ${report.status} report names who authorised it and when (authorisedBy, authorisedAt)`);
  }
  if (report.status === 'amended' && (report.amendments ?? []).length === 0) {
    throw new RangeError('lab report: an amended report carries the reasons for its amendments');
  }
  return printedAt;
}

/** The status as printed on every page. */
function statusText(status: ReportView['status']): string {
  switch (status) {
    case 'partial': return 'PARTIAL — some results awaited — NOT AUTHORISED';
    case 'preliminary': return 'PRELIMINARY — NOT AUTHORISED';
    case 'final': return 'FINAL';
    case 'amended': return 'AMENDED REPORT — FINAL';
  }
}

function ageSex(patient: ReportView['patient']): string {
  const sex = patient.gender ? SEX[patient.gender] ?? patient.gender : undefined;
  const age = patient.ageYears === undefined ? undefined : patient.ageYears === 0 ? 'under 1 year' : `${patient.ageYears} year${patient.ageYears === 1 ? '' : 's'}`;
  if (age && sex) return `${age} / ${sex}`;
  return age ?? sex ?? 'not recorded';
}

/** Critical when the view says so or the flag is a critical one (HH, LL). */
function isCritical(r: ResultValue): boolean {
  return r.critical === true || r.flag === 'HH' || r.flag === 'LL';
}

function isAbnormal(r: ResultValue): boolean {
  return isCritical(r) || (r.flag !== undefined && r.flag !== 'N');
}

function flagText(r: ResultValue): string {
  const flag = r.flag && r.flag !== 'N' ? r.flag : '';
  return isCritical(r) ? `${flag} CRITICAL`.trim() : flag;
}

/** A4 pages drawn in mm from the top left; text is placed by its baseline so cells in a row line up. */
class Pages {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  /** The body's cursor: the top of the next thing drawn, mm. */
  y = BODY_TOP;
  private readonly fontOf = new Map<PDFPage, PDFFont>();

  constructor(readonly doc: PDFDocument, readonly fonts: Fonts, private readonly onNewPage: (pages: Pages) => void) {}

  addPage(): void {
    this.page = this.doc.addPage([mm(PAGE_WIDTH), mm(PAGE_HEIGHT)]);
    this.pages.push(this.page);
    this.y = BODY_TOP;
    this.onNewPage(this);
  }

  /** Room for `height` mm of body on this page, or a new page. */
  ensure(height: number): void {
    if (this.y + height > BODY_BOTTOM) this.addPage();
  }

  /** Draws already-printable `text` with its baseline at `baseline` mm; `align` right puts its end at x. */
  draw(text: string, x: number, baseline: number, options: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; align?: 'left' | 'right' | 'center' } = {}): void {
    if (text === '') return;
    const size = options.size ?? TABLE_SIZE;
    const font = options.font ?? this.fonts.regular;
    const width = font.widthOfTextAtSize(text, size);
    const left = options.align === 'right' ? mm(x) - width : options.align === 'center' ? mm(x) - width / 2 : mm(x);
    // pdf-lib adds a font resource to the page each time drawText is given a font; a report draws a
    // few hundred runs in three fonts, so the font is set only when it changes.
    if (this.fontOf.get(this.page) !== font) {
      this.page.setFont(font);
      this.fontOf.set(this.page, font);
    }
    this.page.drawText(text, { x: left, y: mm(PAGE_HEIGHT - baseline), size, color: options.color ?? BLACK });
  }

  widthOf(text: string, font: PDFFont, size: number): number {
    return font.widthOfTextAtSize(text, size) / PT_PER_MM;
  }

  /** `text` cut with an ellipsis to fit `maxWidth` mm (for the header's one-line fields). */
  fit(text: string, font: PDFFont, size: number, maxWidth: number): string {
    if (this.widthOf(text, font, size) <= maxWidth) return text;
    let cut = text;
    while (cut.length > 1 && this.widthOf(`${cut}...`, font, size) > maxWidth) cut = cut.slice(0, -1);
    return `${cut.trimEnd()}...`;
  }

  /** `text` broken into lines of at most `width` mm: at spaces, and inside a word only when it is longer than a line. */
  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ').filter((w) => w !== '')) {
      const candidate = line ? `${line} ${word}` : word;
      if (this.widthOf(candidate, font, size) <= width) { line = candidate; continue; }
      if (line) lines.push(line);
      line = word;
      while (this.widthOf(line, font, size) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && this.widthOf(line.slice(0, cut), font, size) > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  rule(y: number, x1 = LEFT, x2 = RIGHT, thickness = 0.6, color = BLACK): void {
    this.page.drawLine({ start: { x: mm(x1), y: mm(PAGE_HEIGHT - y) }, end: { x: mm(x2), y: mm(PAGE_HEIGHT - y) }, thickness, color });
  }

  /**
   * A Code 128 symbol whose bars end at x = `right` mm, top at `y`, `height` mm high, at most `maxWidth` mm
   * wide with its quiet zones (10 modules each side, which scanners need to find its ends); modules
   * 0.33 mm at most (a usual X dimension for a desk laser printer and a handheld scanner).
   */
  code128(symbol: LinearSymbol, right: number, y: number, maxWidth: number, height: number): void {
    const module = Math.min(0.33, maxWidth / (symbol.modules + 20));
    const left = right - symbol.modules * module;
    const path = symbol.bars.map(([at, w]) => `M${at} 0h${w}v${height / module}h${-w}Z`).join('');
    this.page.drawSvgPath(path, { x: mm(left), y: mm(PAGE_HEIGHT - y), scale: mm(module), color: BLACK, borderWidth: 0 });
  }
}

/** Line height of text at `size` pt, in mm (1.25 leading). */
const lineHeight = (size: number) => size * 1.25 / PT_PER_MM;
/** From the top of a line to its baseline, mm: Helvetica's ascender (0.718 em) and a little air above the capitals. */
const ascent = (size: number) => size * 0.8 / PT_PER_MM;

/** The report as an A4 PDF of one or more pages. */
export async function labReportPdf(input: LabReportInput): Promise<Uint8Array> {
  const printedAt = checked(input);
  const r = input.report;
  const accession = r.specimen.accession;
  // Encoded once, drawn on every page.
  const barcode = barcodeSymbol(accession, 'code128');

  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(printable(`Laboratory report ${accession} ${r.order.testName}`));
  doc.setSubject(printable(r.patient.name));
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(printedAt);
  doc.setModificationDate(printedAt);
  const fonts = await standardFonts(doc);
  const { regular, bold, mono } = fonts;

  const hospital = labText(input.hospitalName);
  const status = statusText(r.status);
  const notAuthorised = r.status === 'partial' || r.status === 'preliminary';
  const priority = r.order.priority === 'routine' ? '' : `   ${r.order.priority.toUpperCase()}`;
  let inTable = false;

  const header = (p: Pages) => {
    const continued = p.pages.length > 1;
    p.draw(p.fit(hospital, bold, 15, 104), LEFT, 15, { size: 15, font: bold });
    p.draw(`LABORATORY REPORT  ·  ${SECTION[r.section]}`, LEFT, 21.5, { size: 9, font: bold, color: GREY });
    p.code128(barcode, RIGHT, 8, 72, 10);
    p.draw('Accession no.', RIGHT - p.widthOf(accession, mono, 10) - 2, 23, { size: 7.5, color: GREY, align: 'right' });
    p.draw(accession, RIGHT, 23, { size: 10, font: mono, align: 'right' });
    p.rule(26);

    const field = (label: string, value: string, x: number, baseline: number, width: number, valueFont = regular) => {
      p.draw(label, x, baseline, { size: 7.5, color: GREY });
      p.draw(p.fit(labText(value), valueFont, 9, width - 23), x + 23, baseline, { size: 9, font: valueFont });
    };
    const mid = 108;
    field('Patient', r.patient.name, LEFT, 31, mid - LEFT, bold);
    field('UHID', r.patient.uhid, LEFT, 36, mid - LEFT, bold);
    field('Age / Sex', ageSex(r.patient), LEFT, 41, mid - LEFT);
    if (r.order.requester) field('Requested by', r.order.requester, LEFT, 46, mid - LEFT);
    field('Specimen', r.specimen.name, mid, 31, RIGHT - mid);
    field('Collected', indiaDateTime(r.specimen.collectedAt), mid, 36, RIGHT - mid);
    field('Received', r.specimen.receivedAt ? indiaDateTime(r.specimen.receivedAt) : 'not yet received', mid, 41, RIGHT - mid);
    field('Ordered', indiaDateTime(r.order.orderedAt), mid, 46, RIGHT - mid);
    p.rule(49, LEFT, RIGHT, 0.3, LIGHT);

    p.draw('Test', LEFT, 54.5, { size: 7.5, color: GREY });
    p.draw(p.fit(`${labText(r.order.testName)}${priority}`, bold, 11, RIGHT - LEFT - 23), LEFT + 23, 54.5, { size: 11, font: bold });
    p.draw('Status', LEFT, 60.5, { size: 7.5, color: GREY });
    p.draw(status, LEFT + 23, 60.5, { size: 10, font: bold });
    if (continued) p.draw(`continued from page ${p.pages.length - 1}`, RIGHT, 60.5, { size: 8, color: GREY, align: 'right' });
    p.rule(63);
    if (inTable) tableHead(p);
  };

  const tableHead = (p: Pages) => {
    const base = p.y + ascent(8.5);
    p.draw('Investigation', COLUMNS.investigation.x, base, { size: 8.5, font: bold });
    p.draw('Result', COLUMNS.result.x, base, { size: 8.5, font: bold });
    p.draw('Unit', COLUMNS.unit.x, base, { size: 8.5, font: bold });
    p.draw('Biological reference interval', COLUMNS.reference.x, base, { size: 8.5, font: bold });
    p.draw('Flag', COLUMNS.flag.x, base, { size: 8.5, font: bold });
    p.y += lineHeight(8.5) + 0.6;
    p.rule(p.y, LEFT, RIGHT, 0.4);
    p.y += 1.2;
  };

  const pages = new Pages(doc, fonts, header);
  pages.addPage();

  // The amendment banner, first thing in the body: what changed and why, before anyone reads a value.
  if (r.status === 'amended') {
    pages.ensure(12);
    pages.rule(pages.y, LEFT, RIGHT, 1.4);
    pages.y += 1.5;
    pages.draw('AMENDED REPORT', LEFT, pages.y + ascent(13), { size: 13, font: bold });
    pages.draw('This report replaces the one released earlier. Earlier values are shown under each changed result.', LEFT + 48, pages.y + ascent(13), { size: 7.5, color: GREY });
    pages.y += lineHeight(13) + 0.5;
    for (const a of r.amendments ?? []) {
      const lines = pages.wrap(labText(`${indiaDateTime(a.at)}${a.by.trim() ? `, by ${a.by}` : ''}: ${a.reason}`), regular, 9, RIGHT - LEFT - 4);
      lines.forEach((line, i) => {
        pages.ensure(lineHeight(9));
        pages.draw(i === 0 ? `Amended ${line}` : line, LEFT + (i === 0 ? 0 : 4), pages.y + ascent(9), { size: 9 });
        pages.y += lineHeight(9);
      });
    }
    pages.y += 1;
    pages.rule(pages.y, LEFT, RIGHT, 1.4);
    pages.y += 3;
  }

  // The column headings with at least one row under them; from here on a new page repeats them.
  pages.ensure(lineHeight(8.5) + 2 + lineHeight(TABLE_SIZE));
  tableHead(pages);
  inTable = true;
  for (const result of r.results) drawResult(pages, result);
  if (r.results.length === 0) {
    pages.draw('No results yet.', LEFT, pages.y + ascent(TABLE_SIZE), { size: TABLE_SIZE, color: GREY });
    pages.y += lineHeight(TABLE_SIZE);
  }
  inTable = false;
  pages.y += 0.5;
  pages.rule(pages.y, LEFT, RIGHT, 0.4);
  pages.y += 1.5;

  // Notes under the table: what the flags mean, the analyzers the results came from.
  const notes = [
    'Flags: H / L above / below the biological reference interval; HH / LL critical value; A abnormal. Abnormal results are printed in bold.',
  ];
  const devices = [...new Set(r.results.map((x) => x.device).filter((d): d is string => typeof d === 'string' && d !== ''))];
  if (devices.length > 0) notes.push(`Analysed on: ${devices.join(', ')}.`);
  for (const note of notes) {
    for (const line of pages.wrap(labText(note), regular, 7.5, RIGHT - LEFT)) {
      pages.ensure(lineHeight(7.5));
      pages.draw(line, LEFT, pages.y + ascent(7.5), { size: 7.5, color: GREY });
      pages.y += lineHeight(7.5);
    }
  }

  // Validation and authorisation: names and times from the view, kept together on one page.
  const signOff: Array<[string, string]> = [
    ['Technically validated by', r.validatedBy ? `${r.validatedBy}${r.validatedAt ? `, ${indiaDateTime(r.validatedAt)}` : ''}` : 'not yet validated'],
    ['Authorised by (pathologist)', r.authorisedBy ? `${r.authorisedBy}${r.authorisedAt ? `, ${indiaDateTime(r.authorisedAt)}` : ''}` : 'not yet authorised'],
  ];
  pages.y += 4;
  pages.ensure(signOff.length * lineHeight(10) + 2 + (notAuthorised ? lineHeight(9) : 0) + 10);
  for (const [label, value] of signOff) {
    pages.draw(label, LEFT, pages.y + ascent(10), { size: 8, color: GREY });
    pages.draw(pages.fit(labText(value), bold, 10, RIGHT - LEFT - 45), LEFT + 45, pages.y + ascent(10), { size: 10, font: bold });
    pages.y += lineHeight(10) + 1;
  }
  if (notAuthorised) {
    pages.draw('Preliminary results, not authorised by a pathologist: they may change when the report is authorised.', LEFT, pages.y + ascent(9), { size: 9, font: bold });
    pages.y += lineHeight(9);
  }
  pages.y += 4;
  pages.draw('*** End of report ***', PAGE_WIDTH / 2, pages.y + ascent(8.5), { size: 8.5, color: GREY, align: 'center' });

  // Footers last, when the number of pages is known.
  const printed = `Printed ${indiaDateTime(printedAt)}${input.printedBy ? ` by ${labText(input.printedBy)}` : ''}`;
  pages.pages.forEach((page, i) => {
    pages.page = page;
    pages.rule(284, LEFT, RIGHT, 0.3, LIGHT);
    pages.draw(pages.fit(printed, regular, 8, 110), LEFT, 288.5, { size: 8, color: GREY });
    pages.draw(`${accession}  ·  Page ${i + 1} of ${pages.pages.length}`, RIGHT, 288.5, { size: 8, font: bold, align: 'right' });
  });
  return doc.save({ useObjectStreams: false });
}

/** One result row: wrapped cells side by side, the earlier values of an amended result under it. */
function drawResult(p: Pages, result: ResultValue): void {
  const { regular, bold } = p.fonts;
  const size = TABLE_SIZE;
  const abnormal = isAbnormal(result);
  const valueFont = abnormal ? bold : regular;
  const value = result.value === undefined || result.value.trim() === '' ? undefined : labText(result.value);
  const unit = result.unit ? labText(result.unit) : '';
  const reference = result.reference ? labText(result.reference) : '';
  // A text result (a smear report, a remark) has no unit or interval: it may use their columns too.
  const spans = result.kind === 'text' && !unit && !reference;
  const resultWidth = spans ? COLUMNS.flag.x - COLUMNS.result.x - 2 : COLUMNS.result.width;

  const cells: Array<{ x: number; lines: string[]; font: PDFFont; color?: ReturnType<typeof rgb> }> = [
    { x: COLUMNS.investigation.x, lines: p.wrap(labText(result.name), regular, size, COLUMNS.investigation.width), font: regular },
    value === undefined
      ? { x: COLUMNS.result.x, lines: ['Awaited'], font: regular, color: GREY }
      : { x: COLUMNS.result.x, lines: p.wrap(value, valueFont, size, resultWidth), font: valueFont },
    { x: COLUMNS.unit.x, lines: spans ? [] : p.wrap(unit, regular, size, COLUMNS.unit.width), font: regular },
    { x: COLUMNS.reference.x, lines: spans ? [] : p.wrap(reference, regular, size, COLUMNS.reference.width), font: regular },
    { x: COLUMNS.flag.x, lines: p.wrap(flagText(result), bold, size, COLUMNS.flag.width), font: bold },
  ];
  const earlier = (result.previous ?? []).map((e) => labText(`Amended: earlier value ${e.value}${unit ? ` ${unit}` : ''}, reported ${indiaDateTime(e.at)}`));
  const earlierLines = earlier.flatMap((e) => p.wrap(e, regular, 7.5, RIGHT - LEFT - 6));
  const rows = Math.max(1, ...cells.map((c) => c.lines.length));
  const height = rows * lineHeight(size) + earlierLines.length * lineHeight(7.5) + 1;

  // A row stays on one page; only a row longer than half a page (a long text result) is split,
  // line by line, its continuation under the next page's repeated header.
  p.ensure(Math.min(height, (BODY_BOTTOM - BODY_TOP) / 2));
  for (let i = 0; i < rows; i++) {
    p.ensure(lineHeight(size));
    for (const cell of cells) {
      if (i < cell.lines.length) p.draw(cell.lines[i], cell.x, p.y + ascent(size), { size, font: cell.font, color: cell.color });
    }
    p.y += lineHeight(size);
  }
  for (const line of earlierLines) {
    p.ensure(lineHeight(7.5));
    p.draw(line, LEFT + 6, p.y + ascent(7.5), { size: 7.5, color: GREY });
    p.y += lineHeight(7.5);
  }
  p.y += 1;
}
