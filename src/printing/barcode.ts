/**
 * Barcodes, encoded by bwip-js (Barcode Writer in Pure PostScript, in JavaScript: no native
 * dependencies): Code 128 for the numbers scanners read at a desk (UHID, accession number), QR for
 * phones.
 *   - barcodePng: the symbol as a PNG image (for screens and anything that wants a picture);
 *   - barcodeSymbol: the symbol as modules (bars, or a matrix of dark squares), which the PDF layout
 *     draws as vector rectangles: sharp at any printer's resolution, and cheaper than an image.
 * Both are deterministic: the same text gives the same output.
 */
import bwipjs from 'bwip-js';

export type BarcodeKind = 'code128' | 'qr';

/** Pixels per module in the PNGs. */
export const BARCODE_SCALE = 3;

const BCID: Record<BarcodeKind, string> = { code128: 'code128', qr: 'qrcode' };

const OPTIONS: Record<BarcodeKind, Record<string, unknown>> = {
  // 10 mm high in bwip-js units; printed scaled to the box it is drawn in.
  code128: { scale: BARCODE_SCALE, height: 10, includetext: false, paddingwidth: 0, paddingheight: 0 },
  // Error correction M (15%): survives a crease or a smudge on a paper slip.
  qr: { scale: BARCODE_SCALE, eclevel: 'M', paddingwidth: 0, paddingheight: 0 },
};

function checkText(text: string): void {
  if (text.length === 0) throw new Error('barcode: nothing to encode');
}

/** The barcode of `text` as a PNG. */
export async function barcodePng(text: string, kind: BarcodeKind): Promise<Buffer> {
  checkText(text);
  return bwipjs.toBuffer({ bcid: BCID[kind], ...OPTIONS[kind], text } as Parameters<typeof bwipjs.toBuffer>[0]);
}

/** A linear symbol: the bars as [start, width] in modules, and its whole width in modules. */
export interface LinearSymbol { kind: 'code128'; modules: number; bars: Array<[number, number]> }
/** A matrix symbol: `size` x `size` modules, dark[row][column]. */
export interface MatrixSymbol { kind: 'qr'; size: number; dark: boolean[][] }

export function barcodeSymbol(text: string, kind: 'code128'): LinearSymbol;
export function barcodeSymbol(text: string, kind: 'qr'): MatrixSymbol;
export function barcodeSymbol(text: string, kind: BarcodeKind): LinearSymbol | MatrixSymbol;
export function barcodeSymbol(text: string, kind: BarcodeKind): LinearSymbol | MatrixSymbol {
  checkText(text);
  const [raw] = bwipjs.raw({ bcid: BCID[kind], text, ...(kind === 'qr' ? { eclevel: 'M' } : {}) } as Parameters<typeof bwipjs.raw>[0]);
  if (kind === 'code128') {
    const { sbs } = raw as { sbs: number[] };
    const bars: Array<[number, number]> = [];
    let at = 0;
    // Widths alternate bar, space, bar, ... starting with a bar.
    sbs.forEach((width, i) => {
      if (i % 2 === 0) bars.push([at, width]);
      at += width;
    });
    return { kind, modules: at, bars };
  }
  const { pixs, pixx, pixy } = raw as { pixs: number[]; pixx: number; pixy: number };
  if (pixx !== pixy) throw new Error(`barcode: a QR code is square, not ${pixx} x ${pixy}`);
  const dark = Array.from({ length: pixy }, (_, row) => Array.from({ length: pixx }, (_, col) => pixs[row * pixx + col] === 1));
  return { kind, size: pixx, dark };
}
