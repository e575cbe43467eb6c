/**
 * Looking inside the PDFs the printing layer writes, for tests: load with pdf-lib (the PDF parses),
 * the text drawn on the page (the hex strings of Tj operators, which is how pdf-lib writes text in
 * the standard fonts), the images placed, the closed subpaths filled (the barcodes' bars and runs of
 * QR modules), and a rendering decoded by ZXing when poppler's pdftoppm is installed. Barcode symbols
 * (bwip-js's modules, as the PDFs draw them) are rasterised here and decoded by ZXing without poppler.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } from '@zxing/library';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFPage } from 'pdf-lib';
import { PNG } from 'pngjs';
import type { LinearSymbol, MatrixSymbol } from '../../src/printing/barcode.js';

function streamBytes(stream: PDFRawStream): Uint8Array {
  const filter = stream.dict.get(PDFName.of('Filter'));
  const bytes = stream.getContents();
  return filter === PDFName.of('FlateDecode') ? inflateSync(bytes) : bytes;
}

function pageContent(doc: PDFDocument, page: PDFPage): string {
  const contents = page.node.Contents();
  const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
  return refs.map((r) => {
    const stream = r instanceof PDFRef ? doc.context.lookup(r) : r;
    return stream instanceof PDFRawStream ? Buffer.from(streamBytes(stream)).toString('latin1') : '';
  }).join('\n');
}

export interface InspectedPdf {
  doc: PDFDocument;
  /** Each text run drawn, in order. */
  texts: string[];
  /** The images placed: width and height in pixels. */
  images: Array<{ width: number; height: number }>;
  /** Page size in points. */
  size: { width: number; height: number };
  /** Closed subpaths (`h` operators): one per bar of a Code 128, one per run of dark QR modules in a row. */
  closedSubpaths: number;
}

export async function inspectPdf(bytes: Uint8Array): Promise<InspectedPdf> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const page = doc.getPage(0);
  const content = pageContent(doc, page);
  const texts = [...content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)].map((m) => Buffer.from(m[1], 'hex').toString('latin1'));
  const images: InspectedPdf['images'] = [];
  const xobjects = page.node.Resources()?.lookup(PDFName.of('XObject'));
  if (xobjects instanceof PDFDict) {
    for (const ref of xobjects.values()) {
      const obj = doc.context.lookup(ref);
      if (obj instanceof PDFRawStream && obj.dict.get(PDFName.of('Subtype')) === PDFName.of('Image')) {
        images.push({ width: Number(obj.dict.get(PDFName.of('Width'))?.toString()), height: Number(obj.dict.get(PDFName.of('Height'))?.toString()) });
      }
    }
  }
  const { width, height } = page.getSize();
  const closedSubpaths = (content.match(/^h$/gm) ?? []).length;
  return { doc, texts, images, size: { width, height }, closedSubpaths };
}

/** Decodes the barcode in a PNG with ZXing; undefined when none is found. */
export function decodePng(png: Buffer, format: 'code128' | 'qr'): string | undefined {
  const image = PNG.sync.read(png);
  return decodeRgba(image.data, image.width, image.height, format);
}

function decodeRgba(rgba: Uint8Array, width: number, height: number, format: 'code128' | 'qr'): string | undefined {
  const luminance = new Uint8ClampedArray(width * height);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3] / 255; // transparent is white paper
    const grey = (rgba[i * 4] * 0.299 + rgba[i * 4 + 1] * 0.587 + rgba[i * 4 + 2] * 0.114) * a + 255 * (1 - a);
    luminance[i] = grey;
  }
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [format === 'qr' ? BarcodeFormat.QR_CODE : BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  try {
    return reader.decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height))), hints).getText();
  } catch {
    return undefined;
  }
}

/** The subpaths a symbol is drawn with: its bars, or its runs of dark modules row by row. */
export function subpathsOf(symbol: LinearSymbol | MatrixSymbol): number {
  if (symbol.kind === 'code128') return symbol.bars.length;
  return symbol.dark.reduce((n, row) => n + row.filter((d, i) => d && !row[i - 1]).length, 0);
}

/** Decodes a symbol (bwip-js's modules) with ZXing: rasterised at 4 px per module with a quiet zone. */
export function decodeSymbol(symbol: LinearSymbol | MatrixSymbol): string | undefined {
  const px = 4;
  const quiet = symbol.kind === 'code128' ? 10 : 4;
  const cols = (symbol.kind === 'code128' ? symbol.modules : symbol.size) + 2 * quiet;
  const rows = symbol.kind === 'code128' ? 40 : symbol.size + 2 * quiet;
  const width = cols * px;
  const height = rows * px;
  const rgba = new Uint8Array(width * height * 4).fill(255);
  const darken = (col: number, row: number) => {
    for (let y = row * px; y < (row + 1) * px; y++) {
      for (let x = col * px; x < (col + 1) * px; x++) rgba.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  };
  if (symbol.kind === 'code128') {
    for (const [at, w] of symbol.bars) for (let m = at; m < at + w; m++) for (let r = 4; r < rows - 4; r++) darken(quiet + m, r);
  } else {
    symbol.dark.forEach((row, r) => row.forEach((d, c) => { if (d) darken(quiet + c, quiet + r); }));
  }
  return decodeRgba(rgba, width, height, symbol.kind);
}

/** True when poppler's tools (pdftoppm, pdftotext) are installed. */
export function popplerInstalled(): boolean {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const POPPLER_MISSING = 'poppler-utils is not installed (pdftoppm/pdftotext): apt-get install -y poppler-utils';

/** The PDF's first page rendered by pdftoppm at `dpi`, as a PNG. */
export function renderPage(pdf: Uint8Array, dpi = 300): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'nirantar-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: pdf });
    execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', file, join(dir, 'page')]);
    return readFileSync(join(dir, 'page.png'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of the PDF as pdftotext extracts it. */
export function pdfToText(pdf: Uint8Array): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8');
}

/** Decodes the barcode found in a rendered page (crop to a region in pixels to pick one of several). */
export function decodeRendered(png: Buffer, format: 'code128' | 'qr', crop?: { x: number; y: number; width: number; height: number }): string | undefined {
  const image = PNG.sync.read(png);
  if (!crop) return decodeRgba(image.data, image.width, image.height, format);
  const out = new Uint8Array(crop.width * crop.height * 4);
  for (let row = 0; row < crop.height; row++) {
    const start = ((crop.y + row) * image.width + crop.x) * 4;
    out.set(image.data.subarray(start, start + crop.width * 4), row * crop.width * 4);
  }
  return decodeRgba(out, crop.width, crop.height, format);
}
