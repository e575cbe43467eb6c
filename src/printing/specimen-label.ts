/**
 * The specimen label stuck on a tube at collection: 50 x 25 mm, the accession number as a Code 128
 * barcode (what the analyzer and the receipt desk scan) and in print, the patient's name and UHID,
 * the test, the container and when it was collected. Two outputs of the same layout:
 *   - specimenLabelPdf: a PDF for any printer (a desk laser printer on label sheets, or a thermal
 *     printer through its driver);
 *   - specimenLabelZpl: ZPL II for Zebra thermal printers sent raw (port 9100 or a USB spool), at
 *     203 dpi (8 dots per mm): 400 x 200 dots.
 * Both are pure: the same input gives the same bytes.
 */
import { printable } from './fonts.js';
import { indiaDateTime } from './india-time.js';
import { PageLayout } from './layout.js';

export interface SpecimenLabelInput {
  /** The accession number: printable ASCII without spaces (Code 128), 1-30 characters (what fits 50 mm with quiet zones). */
  accession: string;
  patientName: string;
  uhid: string;
  /** The test or panel, short: "CBC", "LFT". */
  test: string;
  /** The container: "EDTA (lavender)", "Plain (red)". */
  container: string;
  /** When the sample was drawn: an instant (Date or ISO 8601 text). */
  collectedAt: Date | string;
}

const ACCESSION = /^[\x21-\x7e]{1,30}$/;

function checked(input: SpecimenLabelInput): SpecimenLabelInput & { collectedAt: Date } {
  if (!ACCESSION.test(input.accession)) throw new RangeError(`an accession number is 1-30 printable ASCII characters without spaces, not "${input.accession}"`);
  const collectedAt = typeof input.collectedAt === 'string' ? new Date(input.collectedAt) : input.collectedAt;
  if (Number.isNaN(collectedAt.getTime())) throw new RangeError(`collectedAt is not a date and time: "${String(input.collectedAt)}"`);
  return { ...input, collectedAt };
}

/** The label as a one-page 50 x 25 mm PDF. */
export async function specimenLabelPdf(input: SpecimenLabelInput): Promise<Uint8Array> {
  const label = checked(input);
  const page = await PageLayout.create({ size: 'LABEL_50x25', title: `Specimen ${label.accession}`, subject: label.test, date: label.collectedAt });
  const { bold, regular, mono } = page.fonts;
  const margin = 2;
  const width = 50 - 2 * margin;
  page.text(label.patientName, margin, 1.2, { size: 7, font: bold, maxWidth: width - 18 });
  page.text(label.uhid, 50 - margin - page.widthOf(label.uhid, regular, 6), 1.5, { size: 6, font: regular });
  page.code128(label.accession, margin, 4.6, width, 8.5, 'center');
  page.text(label.accession, margin, 13.6, { size: 8, font: mono });
  page.text(`${label.test} | ${label.container}`, margin, 17.4, { size: 6, font: bold, maxWidth: width });
  page.text(indiaDateTime(label.collectedAt), margin, 20.8, { size: 6, font: regular, maxWidth: width });
  return page.save();
}

const DOTS_PER_MM = 8;
const LABEL_DOTS = { width: 50 * DOTS_PER_MM, height: 25 * DOTS_PER_MM };
const MARGIN_DOTS = 16;
const QUIET_ZONE_MODULES = 10;

/**
 * Field data for ^FD: Latin text as in the PDF, with ZPL's command characters (^ and ~) and the
 * hex indicator itself written as ^FH hex escapes (_5E, _7E, _5F).
 */
function fieldData(text: string): string {
  return `^FH_^FD${printable(text).replace(/[\^~_]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase()}`)}^FS`;
}

/** ZPL does not cut text at a field's edge: long text is shortened to `max` characters. */
function short(text: string, max: number): string {
  const t = printable(text);
  return t.length <= max ? t : `${t.slice(0, max - 3).trimEnd()}...`;
}

/** Code 128 width in modules: 11 per character, plus start (11), check (11) and stop (13). */
function code128Modules(text: string): number {
  return 11 * text.length + 35;
}

/** The label as ZPL II (UTF-8, 203 dpi). */
export function specimenLabelZpl(input: SpecimenLabelInput): string {
  const label = checked(input);
  // Module width: as wide as fits with a 10-module quiet zone each side (wider bars scan better), 1-3 dots.
  const modules = code128Modules(label.accession);
  const moduleWidth = Math.max(1, Math.min(3, Math.floor(LABEL_DOTS.width / (modules + 2 * QUIET_ZONE_MODULES))));
  const barcodeX = Math.floor((LABEL_DOTS.width - modules * moduleWidth) / 2);
  const x = MARGIN_DOTS;
  return [
    '^XA',
    '^CI28', // field data is UTF-8
    `^PW${LABEL_DOTS.width}`,
    `^LL${LABEL_DOTS.height}`,
    '^LH0,0',
    `^FO${x},10^A0N,22,22${fieldData(short(label.patientName, 20))}`,
    `^FO${x + 248},12^A0N,18,18${fieldData(label.uhid)}`,
    // Code 128, normal orientation, 64 dots high, no human-readable line (printed below, larger), no UCC check digit.
    `^FO${barcodeX},36^BY${moduleWidth},3,64^BCN,64,N,N,N^FD${label.accession}^FS`,
    `^FO${x},106^A0N,26,26${fieldData(label.accession)}`,
    `^FO${x},138^A0N,20,20${fieldData(short(`${label.test} | ${label.container}`, 34))}`,
    `^FO${x},164^A0N,20,20${fieldData(indiaDateTime(label.collectedAt))}`,
    '^PQ1',
    '^XZ',
  ].join('\n') + '\n';
}
