import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barcodeSymbol } from '../../src/printing/barcode.js';
import { mm } from '../../src/printing/layout.js';
import { specimenLabelPdf, specimenLabelZpl, type SpecimenLabelInput } from '../../src/printing/specimen-label.js';
import { decodeRendered, inspectPdf, popplerInstalled, POPPLER_MISSING, renderPage, subpathsOf } from './pdf-inspect.js';

const LABEL: SpecimenLabelInput = {
  accession: 'L2611270001', patientName: 'Anita Sharma', uhid: '1000-0012-3456',
  test: 'CBC', container: 'EDTA (lavender)', collectedAt: '2026-11-27T08:35:00Z',
};

test('the ZPL label: exact commands, 203 dpi, Code 128 of the accession with quiet zones', () => {
  assert.equal(specimenLabelZpl(LABEL), [
    '^XA',
    '^CI28',
    '^PW400',
    '^LL200',
    '^LH0,0',
    '^FO16,10^A0N,22,22^FH_^FDAnita Sharma^FS',
    '^FO264,12^A0N,18,18^FH_^FD1000-0012-3456^FS',
    '^FO44,36^BY2,3,64^BCN,64,N,N,N^FDL2611270001^FS',
    '^FO16,106^A0N,26,26^FH_^FDL2611270001^FS',
    '^FO16,138^A0N,20,20^FH_^FDCBC | EDTA (lavender)^FS',
    '^FO16,164^A0N,20,20^FH_^FD27-11-2026 14:05 IST^FS',
    '^PQ1',
    '^XZ',
    '',
  ].join('\n'));
});

test('ZPL: command characters in text are hex-escaped, a long accession gets narrower bars', () => {
  const zpl = specimenLabelZpl({ ...LABEL, patientName: 'A^B~C_D', container: 'Plain (red)' });
  assert.match(zpl, /\^FH_\^FDA_5EB_7EC_5FD\^FS/);
  assert.match(specimenLabelZpl({ ...LABEL, patientName: 'Venkatanarasimharajuvaripeta Subramaniam' }), /\^FDVenkatanarasimhar...\^FS/, 'a long name is shortened, not printed over the UHID');
  assert.equal(zpl.match(/\^XA/g)?.length, 1);
  assert.equal(zpl.match(/\^XZ/g)?.length, 1);
  const long = specimenLabelZpl({ ...LABEL, accession: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123' });
  const m = /\^FO(\d+),36\^BY(\d),3,64\^BCN/.exec(long)!;
  const [x, module] = [Number(m[1]), Number(m[2])];
  assert.equal(module, 1);
  const width = (11 * 30 + 35) * module;
  assert.ok(x >= 10 * module && x + width <= 400 - 10 * module, 'quiet zones of 10 modules fit on the label');
});

test('bad labels are refused: an accession with spaces or too long, a collection time that is no time', async () => {
  assert.throws(() => specimenLabelZpl({ ...LABEL, accession: 'L 26' }), /accession/);
  assert.throws(() => specimenLabelZpl({ ...LABEL, accession: 'X'.repeat(31) }), /accession/);
  assert.throws(() => specimenLabelZpl({ ...LABEL, accession: '' }), /accession/);
  assert.throws(() => specimenLabelZpl({ ...LABEL, collectedAt: 'soon' }), /collectedAt/);
  await assert.rejects(specimenLabelPdf({ ...LABEL, accession: 'L^26 x' }), /accession/);
});

test('the PDF label: 50 x 25 mm, the text, the accession barcode, deterministic', async () => {
  const bytes = await specimenLabelPdf(LABEL);
  assert.ok(Buffer.from(bytes).equals(Buffer.from(await specimenLabelPdf(LABEL))), 'the same label gives the same bytes');
  const pdf = await inspectPdf(bytes);
  assert.equal(pdf.doc.getPageCount(), 1);
  assert.ok(Math.abs(pdf.size.width - mm(50)) < 0.01 && Math.abs(pdf.size.height - mm(25)) < 0.01, `${pdf.size.width} x ${pdf.size.height} pt`);
  assert.deepEqual(pdf.texts, ['Anita Sharma', '1000-0012-3456', 'L2611270001', 'CBC | EDTA (lavender)', '27-11-2026 14:05 IST']);
  assert.equal(pdf.doc.getCreationDate()?.toISOString(), '2026-11-27T08:35:00.000Z', 'dated by the collection');
  assert.deepEqual(pdf.images, []);
  assert.equal(pdf.closedSubpaths, subpathsOf(barcodeSymbol(LABEL.accession, 'code128')), 'the bars of the Code 128 of the accession, drawn as vectors');
});

test('the PDF label, printed (rendered by poppler at 300 dpi), scans back to the accession number', { skip: popplerInstalled() ? false : POPPLER_MISSING }, async () => {
  const png = renderPage(await specimenLabelPdf(LABEL), 300);
  assert.equal(decodeRendered(png, 'code128'), LABEL.accession);
});
