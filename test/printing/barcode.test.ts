import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { barcodePng, barcodeSymbol } from '../../src/printing/barcode.js';
import { printable } from '../../src/printing/fonts.js';
import { indiaDate, indiaDateTime, indiaDay } from '../../src/printing/india-time.js';
import { mm, PAGE_SIZES, PageLayout } from '../../src/printing/layout.js';
import { decodePng, decodeSymbol, inspectPdf, subpathsOf } from './pdf-inspect.js';

test('a Code 128 barcode is a PNG that decodes back to its text (ZXing)', async () => {
  for (const text of ['100000123456', 'L2611270001', 'ACC-42/x']) {
    const png = await barcodePng(text, 'code128');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    assert.equal(decodePng(png, 'code128'), text);
    assert.equal(decodePng(png, 'qr'), undefined, 'it is not a QR code');
  }
});

test('a QR code decodes back to its text, and is square', async () => {
  const png = await barcodePng('100000123456', 'qr');
  const image = PNG.sync.read(png);
  assert.equal(image.width, image.height);
  assert.equal(decodePng(png, 'qr'), '100000123456');
  assert.equal(decodePng(png, 'code128'), undefined);
});

test('the symbols the PDFs draw (bwip-js modules) are Code 128 and QR and decode back (ZXing)', () => {
  const code = barcodeSymbol('100000123456', 'code128');
  assert.equal(code.kind, 'code128');
  // Code 128 subset C packs the 12 digits in 6 symbols: start, 6, check (11 modules each), stop (13).
  assert.equal(code.modules, 8 * 11 + 13);
  assert.equal(code.bars.length, 8 * 3 + 4, 'three bars per symbol, four in the stop pattern');
  assert.deepEqual(code.bars.slice(0, 3), [[0, 2], [3, 1], [6, 3]], 'start code C is 211232: bar 2, space 1, bar 1, space 2, bar 3, space 2');
  assert.equal(decodeSymbol(code), '100000123456');
  const qr = barcodeSymbol('100000123456', 'qr');
  assert.equal(qr.size, 21, 'version 1');
  assert.ok(qr.dark[0].slice(0, 7).every(Boolean), 'a finder pattern in the corner');
  assert.equal(decodeSymbol(qr), '100000123456');
  assert.equal(decodeSymbol(barcodeSymbol('ACC-42/x', 'code128')), 'ACC-42/x');
});

test('barcodes are deterministic, and an empty text is refused', async () => {
  assert.ok((await barcodePng('X1', 'code128')).equals(await barcodePng('X1', 'code128')));
  assert.ok((await barcodePng('X1', 'qr')).equals(await barcodePng('X1', 'qr')));
  assert.deepEqual(barcodeSymbol('X1', 'qr'), barcodeSymbol('X1', 'qr'));
  await assert.rejects(barcodePng('', 'code128'), /nothing to encode/);
  assert.throws(() => barcodeSymbol('', 'qr'), /nothing to encode/);
});

test('text outside the standard fonts is printed without accents, or as ?', () => {
  assert.equal(printable('Anita Sharma'), 'Anita Sharma');
  assert.equal(printable('Ānanda Śarmā'), 'Ananda Sarma');
  assert.equal(printable('José Müller'), 'José Müller', 'Latin-1 stays as it is');
  assert.equal(printable('अनीता'), '?????', 'Devanagari cannot be drawn in the standard fonts');
  assert.equal(printable('a\n\tb'), 'a b');
});

test('India time: day first, UTC+05:30', () => {
  assert.equal(indiaDateTime('2026-11-27T18:40:00Z'), '28-11-2026 00:10 IST');
  assert.equal(indiaDateTime(new Date('2026-01-01T00:00:00Z')), '01-01-2026 05:30 IST');
  assert.equal(indiaDay('2026-11-27T18:40:00Z'), '2026-11-28');
  assert.equal(indiaDate('1987-04-12'), '12-04-1987');
  assert.equal(indiaDate('1987'), '1987');
  assert.throws(() => indiaDateTime('yesterday'), RangeError);
});

test('page sizes in millimetres, and a page laid out is a deterministic PDF of that size', async () => {
  const make = async () => {
    const page = await PageLayout.create({ size: 'A5', title: 'Test', date: new Date('2026-11-27T04:05:06Z') });
    page.text('Hello, Ānanda', 10, 10, { size: 12 });
    page.rule(20);
    page.code128('12345', 10, 25, 60, 12);
    page.qrCode('12345', 80, 25, 30);
    return page.save();
  };
  const a = await make();
  const b = await make();
  assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'the same data gives the same bytes');
  const pdf = await inspectPdf(a);
  assert.equal(Math.round(pdf.size.width), Math.round(mm(PAGE_SIZES.A5.width)));
  assert.equal(Math.round(pdf.size.height), Math.round(mm(PAGE_SIZES.A5.height)));
  assert.deepEqual(pdf.texts, ['Hello, Ananda']);
  assert.deepEqual(pdf.images, [], 'barcodes are vectors, not images');
  assert.equal(pdf.closedSubpaths, subpathsOf(barcodeSymbol('12345', 'code128')) + subpathsOf(barcodeSymbol('12345', 'qr')));
  assert.equal(pdf.doc.getCreationDate()?.toISOString(), '2026-11-27T04:05:06.000Z');
  assert.equal(pdf.doc.getModificationDate()?.toISOString(), '2026-11-27T04:05:06.000Z');
  assert.equal(pdf.doc.getProducer(), 'Nirantar');
});
