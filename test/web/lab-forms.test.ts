/** The lab desks' plain data in Node: the phlebotomy order, value checks as typed and at Save, the entry body, flags, minutes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogueTest, OrderBrief, PhlebotomyItem, WorklistItem } from '../../src/departments/lab/lab-api.js';
import { accessionOf } from '../../src/departments/lab/accession.js';
import {
  accessionProblem, bySpecimen, capClass, checkEntry, checkValue, codedAnswer, durationText, entryBody, entryRows, flagText, FORM, highestPriority, isCritical,
  labPath, rowKey, scannedAccession, sortPhlebotomy, type EntryRow,
} from '../../web/src/desks/lab/lab.js';

const order = (id: string, priority: OrderBrief['priority'], orderedAt: string, test = 'lab-cbc'): OrderBrief =>
  ({ id, test, testName: test, priority, orderedAt });
const patient = (id: string, name = id) => ({ id, name, uhid: `U-${id}` });
const waiting = (id: string, orders: OrderBrief[]): PhlebotomyItem => ({ patient: patient(id), orders, containers: [] });

test('the phlebotomy list: stat, then urgent, then routine; the longest wait first within each', () => {
  const list = sortPhlebotomy([
    waiting('routine-old', [order('a', 'routine', '2026-11-27T02:00:00Z')]),
    waiting('urgent-new', [order('b', 'urgent', '2026-11-27T04:00:00Z')]),
    waiting('mixed-stat', [order('c', 'routine', '2026-11-27T01:00:00Z'), order('d', 'stat', '2026-11-27T05:00:00Z')]),
    waiting('routine-older', [order('e', 'routine', '2026-11-27T01:30:00Z')]),
    waiting('urgent-old', [order('f', 'urgent', '2026-11-27T03:00:00Z')]),
  ]);
  assert.deepEqual(list.map((i) => i.patient.id), ['mixed-stat', 'urgent-old', 'urgent-new', 'routine-older', 'routine-old']);
  assert.equal(highestPriority([]), 'routine');
});

test('a scanned accession loses the scanner\'s control characters and spaces, nothing else', () => {
  assert.equal(scannedAccession(' L2611-000123\r\n'), 'L2611-000123');
  assert.equal(scannedAccession('\u0002ab 12\u0003'), 'ab12');
  assert.equal(capClass('Light blue'), 'cap cap-light-blue');
});

test('an accession is checked at the desk as the server checks it: 11 digits, the Verhoeff check digit', () => {
  const good = accessionOf('261127', 1);
  assert.equal(accessionProblem(good), undefined);
  assert.match(accessionProblem('AB123')!, /digits only/);
  assert.match(accessionProblem('2611270001')!, /11 digits; 2611270001 has 10/);
  // 2611270001x with the sequence's last two digits swapped: 2611270010x.
  const swapped = good.slice(0, 8) + good[9] + good[8] + good[10];
  assert.notEqual(swapped, good);
  assert.match(accessionProblem(swapped)!, /does not check out/);
});

const hb: Pick<EntryRow, 'kind' | 'decimals' | 'answers' | 'name'> = { kind: 'quantity', decimals: 1, name: 'Haemoglobin' };
const sodium: Pick<EntryRow, 'kind' | 'decimals' | 'answers' | 'name'> = { kind: 'quantity', decimals: 0, name: 'Sodium' };
const hbsag: Pick<EntryRow, 'kind' | 'decimals' | 'answers' | 'name'> = {
  kind: 'coded', name: 'HBsAg', answers: [{ code: 'reactive', display: 'Reactive' }, { code: 'non-reactive', display: 'Non-reactive' }],
};

test('numbers are checked as they are typed: unfinished is fine, wrong is wrong at once', () => {
  for (const typing of ['', '1', '13', '13.', '13.4', '<0.1', '> 50', '≤2']) assert.deepEqual(checkValue(hb, typing), { ok: true }, typing);
  const wrong = (row: typeof hb, text: string) => {
    const check = checkValue(row, text);
    assert.equal(check.ok, false, text);
    return check.ok ? '' : check.message;
  };
  assert.match(wrong(hb, '13a'), /number only/);
  assert.match(wrong(hb, '13.4.1'), /number only/);
  assert.match(wrong(hb, '4,5'), /No commas/);
  assert.match(wrong(hb, '-1'), /not negative/);
  assert.match(wrong(hb, '13.45'), /Haemoglobin is reported to 1 decimal$/);
  assert.match(wrong(sodium, '140.5'), /Sodium is reported in whole numbers/);
  assert.equal(checkValue({ ...hb, decimals: 2 }, '4.567').ok, false);
});

test('at Save an unfinished number is refused; coded answers match the server\'s way (case and punctuation aside)', () => {
  assert.equal(checkValue(hb, '13.', true).ok, false);
  assert.equal(checkValue(hb, '<', true).ok, false);
  assert.equal(checkValue(hb, '.5', true).ok, true);
  assert.equal(checkValue(hbsag, 'non reactive').ok, true);
  assert.equal(checkValue(hbsag, 'NON-REACTIVE').ok, true);
  assert.deepEqual(codedAnswer(hbsag.answers!, 'reactive'), { code: 'reactive', display: 'Reactive' });
  const bad = checkValue(hbsag, 'positive');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.message, /One of: Reactive, Non-reactive/);
  assert.equal(checkValue({ kind: 'text', name: 'Remarks' }, 'anything, even commas: 1,2').ok, true);
});

const catalogue: CatalogueTest[] = [{
  id: 'lab-electrolytes', key: 'electrolytes', name: 'Serum electrolytes', section: 'biochemistry',
  specimen: { key: 'serum-sst', name: 'Serum', container: 'SST', capColour: 'Gold' }, turnaroundHours: 2,
  analytes: [
    { key: 'sodium', name: 'Sodium', kind: 'quantity', unit: 'mmol/L', decimals: 0 },
    { key: 'potassium', name: 'Potassium', kind: 'quantity', unit: 'mmol/L', decimals: 1 },
    { key: 'chloride', name: 'Chloride', kind: 'quantity', unit: 'mmol/L', decimals: 0 },
  ],
}, {
  id: 'lab-hbsag', key: 'hbsag', name: 'HBsAg', section: 'serology',
  specimen: { key: 'serum-sst', name: 'Serum', container: 'SST', capColour: 'Gold' }, turnaroundHours: 4,
  analytes: [{ key: 'hbsag', name: 'HBsAg', kind: 'coded', answers: hbsag.answers }],
}];

const item = (specimen: string, o: OrderBrief, results: WorklistItem['results'], receivedAt = '2026-11-27T03:00:00Z'): WorklistItem => ({
  specimen: { id: specimen, accession: `A-${specimen}`, receivedAt, name: 'Serum' }, patient: patient('p1', 'Kamla Devi'),
  order: o, section: 'biochemistry', stage: 'entry', results,
});

test('the bench asks for every analyte of every order on the tube, with the worklist\'s reference and the catalogue\'s decimals', () => {
  const items = [
    item('s1', order('o1', 'routine', '2026-11-27T01:00:00Z', 'lab-electrolytes'), [
      { analyte: 'potassium', name: 'Potassium', kind: 'quantity', unit: 'mmol/L', reference: '3.5 – 5.1', value: '4.2', flag: 'N' },
    ]),
    item('s1', order('o2', 'stat', '2026-11-27T01:00:00Z', 'lab-hbsag'), []),
    item('s1', order('o3', 'routine', '2026-11-27T01:00:00Z', 'lab-unknown'), [{ analyte: 'x', name: 'X', kind: 'text' }]),
  ];
  const rows = entryRows(items, catalogue);
  assert.deepEqual(rows.map((r) => r.key), ['o1|sodium', 'o1|potassium', 'o1|chloride', 'o2|hbsag', 'o3|x']);
  const k = rows[1];
  assert.equal(k.reference, '3.5 – 5.1');
  assert.equal(k.decimals, 1);
  assert.equal(k.value, '4.2');
  assert.equal(rows[3].answers?.length, 2);
  // Without the catalogue (it failed to load) the worklist's analytes are still asked.
  assert.deepEqual(entryRows(items, undefined).map((r) => r.key), ['o1|potassium', 'o3|x']);

  const values = { [rowKey('o1', 'sodium')]: '140', [rowKey('o1', 'potassium')]: ' 7.0 ', [rowKey('o2', 'hbsag')]: 'non reactive' };
  assert.deepEqual(checkEntry(rows, values), {});
  assert.deepEqual(entryBody(rows, values), {
    results: [
      { order: 'o1', analyte: 'sodium', value: '140' },
      { order: 'o1', analyte: 'potassium', value: '7.0' },
      { order: 'o2', analyte: 'hbsag', value: 'Non-reactive' },
    ],
  });
  assert.deepEqual(Object.keys(checkEntry(rows, { 'o1|sodium': '140.', 'o1|chloride': 'x' })), ['o1|sodium', 'o1|chloride']);
  assert.deepEqual(Object.keys(checkEntry(rows, {})), [FORM]);
});

test('the worklist by tube: stat tubes first, then by time of receipt', () => {
  const groups = bySpecimen([
    item('late', order('a', 'routine', 'x'), [], '2026-11-27T05:00:00Z'),
    item('early', order('b', 'routine', 'x'), [], '2026-11-27T03:00:00Z'),
    item('stat', order('c', 'stat', 'x'), [], '2026-11-27T06:00:00Z'),
    item('early', order('d', 'routine', 'x'), [], '2026-11-27T03:00:00Z'),
  ]);
  assert.deepEqual(groups.map((g) => [g.specimen.id, g.items.length]), [['stat', 1], ['early', 2], ['late', 1]]);
});

test('flags as the desk shows them: critical is spelled out', () => {
  assert.equal(flagText({ flag: 'N' }), '');
  assert.equal(flagText({ flag: 'H' }), 'H');
  assert.equal(flagText({ flag: 'HH' }), 'HH critical');
  assert.equal(flagText({ flag: 'L', critical: true }), 'L critical');
  assert.equal(isCritical({ flag: 'LL' }), true);
  assert.equal(isCritical({ flag: 'H' }), false);
});

test('durations and paths', () => {
  assert.equal(durationText(undefined), '—');
  assert.equal(durationText(42.4), '42 min');
  assert.equal(durationText(125), '2 h 05 min');
  assert.equal(labPath.worklist('entry', 'clinical-pathology'), '/api/lab/worklist?stage=entry&section=clinical-pathology');
  assert.equal(labPath.worklist('validation'), '/api/lab/worklist?stage=validation');
  assert.equal(labPath.byAccession('A 1/2'), '/api/lab/specimens?accession=A%201%2F2');
  assert.equal(labPath.reports({ date: '2026-11-27', status: '' }), '/api/lab/reports?date=2026-11-27');
});
