/**
 * Page and label layout for printed slips, labels and reports, in millimetres from the top left
 * (how a form is designed on paper) over pdf-lib's points from the bottom left. Barcodes are drawn
 * as vector paths (one path per symbol), sharp at any printer's resolution.
 *
 * Output is deterministic: the document's dates come from the data (the registration time, the
 * collection time), and producer and creator are fixed, so the same data gives the same bytes and
 * tests can compare them.
 */
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { barcodeSymbol, type LinearSymbol, type MatrixSymbol } from './barcode.js';
import { printable, standardFonts, type Fonts } from './fonts.js';

/** Points per millimetre (1 pt = 1/72 inch). */
export const PT_PER_MM = 72 / 25.4;
export const mm = (value: number) => value * PT_PER_MM;

/** Paper and label sizes, width x height in millimetres (portrait). */
export const PAGE_SIZES = {
  A4: { width: 210, height: 297 },
  A5: { width: 148, height: 210 },
  /** The common thermal specimen label (Zebra and the like). */
  LABEL_50x25: { width: 50, height: 25 },
} as const;
export type PageSize = keyof typeof PAGE_SIZES;

export const PRODUCER = 'Nirantar';

export interface DocumentOptions {
  size: PageSize;
  title: string;
  subject?: string;
  /** Creation and modification date of the document: from the data, so output is reproducible. */
  date: Date;
}

/** Code 128's quiet zone on each side, in modules. */
const QUIET_ZONE_MODULES = 10;
/** QR's quiet zone on each side, in modules (ISO/IEC 18004). */
const QR_QUIET_ZONE_MODULES = 4;

export const BLACK = rgb(0, 0, 0);
export const GREY = rgb(0.35, 0.35, 0.35);

/** One page being laid out: text, rules and barcodes at millimetre positions from the top left. */
export class PageLayout {
  private constructor(readonly doc: PDFDocument, readonly page: PDFPage, readonly fonts: Fonts, readonly widthMm: number, readonly heightMm: number) {}

  static async create(options: DocumentOptions): Promise<PageLayout> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setTitle(printable(options.title));
    if (options.subject) doc.setSubject(printable(options.subject));
    doc.setProducer(PRODUCER);
    doc.setCreator(PRODUCER);
    doc.setCreationDate(options.date);
    doc.setModificationDate(options.date);
    const { width, height } = PAGE_SIZES[options.size];
    const page = doc.addPage([mm(width), mm(height)]);
    return new PageLayout(doc, page, await standardFonts(doc), width, height);
  }

  /** Draws `text` with its top-left corner near (x, y) mm; returns the y below it. */
  text(text: string, x: number, y: number, options: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; maxWidth?: number } = {}): number {
    const size = options.size ?? 10;
    const font = options.font ?? this.fonts.regular;
    const shown = this.fit(printable(text), font, size, options.maxWidth ?? this.widthMm - x);
    const ascent = font.heightAtSize(size, { descender: false });
    this.page.drawText(shown, { x: mm(x), y: mm(this.heightMm - y) - ascent, size, font, color: options.color ?? BLACK });
    return y + font.heightAtSize(size) / PT_PER_MM + size * 0.25 / PT_PER_MM;
  }

  /** A label and its value on one line: "Phone  +91 98765 43210"; returns the y below. */
  field(label: string, value: string, x: number, y: number, options: { labelWidth?: number; size?: number } = {}): number {
    const size = options.size ?? 10;
    this.text(label, x, y, { size: size * 0.85, color: GREY, font: this.fonts.regular });
    return this.text(value, x + (options.labelWidth ?? 28), y, { size, font: this.fonts.bold });
  }

  /** A horizontal rule at y mm, from x1 to x2. */
  rule(y: number, x1 = 0, x2 = this.widthMm, thickness = 0.6): void {
    this.page.drawLine({ start: { x: mm(x1), y: mm(this.heightMm - y) }, end: { x: mm(x2), y: mm(this.heightMm - y) }, thickness, color: BLACK });
  }

  /** A QR code of `value`, `side` mm square (quiet zone included: 4 modules), its top-left corner at (x, y) mm. */
  qrCode(value: string, x: number, y: number, side: number): MatrixSymbol {
    const symbol = barcodeSymbol(value, 'qr');
    const module = side / (symbol.size + 2 * QR_QUIET_ZONE_MODULES);
    const left = x + QR_QUIET_ZONE_MODULES * module;
    const top = y + QR_QUIET_ZONE_MODULES * module;
    // One path: each row's runs of dark modules as rectangles.
    let path = '';
    symbol.dark.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) {
        if (!row[c]) continue;
        let run = 1;
        while (c + run < row.length && row[c + run]) run++;
        path += `M${c} ${r}h${run}v1h${-run}Z`;
        c += run - 1;
      }
    });
    this.page.drawSvgPath(path, { x: mm(left), y: mm(this.heightMm - top), scale: mm(module), color: BLACK, borderWidth: 0 });
    return symbol;
  }

  /**
   * A Code 128 of `value` in the box (x, y, width, height) mm, drawn as vector bars. It keeps a quiet
   * zone of at least 10 modules on each side inside the box (what scanners need to find its ends),
   * its modules at most 0.5 mm wide; it starts after the quiet zone at the box's left, or is centred.
   */
  code128(value: string, x: number, y: number, width: number, height: number, align: 'left' | 'center' = 'left'): LinearSymbol {
    const symbol = barcodeSymbol(value, 'code128');
    const module = Math.min(0.5, width / (symbol.modules + 2 * QUIET_ZONE_MODULES));
    const drawn = symbol.modules * module;
    const left = align === 'center' ? x + (width - drawn) / 2 : x + QUIET_ZONE_MODULES * module;
    const path = symbol.bars.map(([at, w]) => `M${at} 0h${w}v${height / module}h${-w}Z`).join('');
    this.page.drawSvgPath(path, { x: mm(left), y: mm(this.heightMm - y), scale: mm(module), color: BLACK, borderWidth: 0 });
    return symbol;
  }

  /** The width of `text` in mm. */
  widthOf(text: string, font: PDFFont, size: number): number {
    return font.widthOfTextAtSize(printable(text), size) / PT_PER_MM;
  }

  async save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: false });
  }

  /** `text` cut with an ellipsis to fit `maxWidth` mm. */
  private fit(text: string, font: PDFFont, size: number, maxWidth: number): string {
    const limit = mm(maxWidth);
    if (font.widthOfTextAtSize(text, size) <= limit) return text;
    let cut = text;
    while (cut.length > 1 && font.widthOfTextAtSize(`${cut}...`, size) > limit) cut = cut.slice(0, -1);
    return `${cut.trimEnd()}...`;
  }
}
