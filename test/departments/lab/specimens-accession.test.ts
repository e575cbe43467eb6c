/**
 * Accession numbers: the format and its check digit, and uniqueness when many desks collect at once
 * (allocation happens under the ledger's chain lock, so twenty parallel collections get twenty
 * consecutive numbers, never one twice).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessionDay, accessionOf, parseAccession } from '../../../src/departments/lab/accession.js';
import { labSpecimenRoutes } from '../../../src/departments/lab/specimen-routes.js';
import { startLabApp, type LabApp } from './lab-app.js';

test('an accession is the India date, a 4-digit day sequence and a Verhoeff check digit', () => {
  assert.equal(accessionOf('261127', 1), '26112700012');
  assert.equal(accessionOf('261127', 9999).length, 11);
  // 27 Nov 2026 20:00 UTC is already 28 Nov in India.
  assert.equal(accessionDay('2026-11-27T20:00:00Z'), '261128');
  assert.deepEqual(parseAccession('26112700012'), { day: '261127', sequence: 1 });
  const a = accessionOf('261127', 1234);
  for (let i = 0; i < a.length; i++) {
    for (let d = 0; d <= 9; d++) {
      const typo = a.slice(0, i) + String(d) + a.slice(i + 1);
      if (typo !== a) assert.equal(parseAccession(typo), undefined, `a single mistyped digit is caught: ${typo}`);
    }
    if (i + 1 < a.length && a[i] !== a[i + 1]) {
      const swapped = a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2);
      assert.equal(parseAccession(swapped), undefined, `swapped neighbours are caught: ${swapped}`);
    }
  }
  assert.throws(() => accessionOf('261127', 10_000), RangeError);
  assert.equal(parseAccession('2611270001'), undefined, 'ten digits');
});

let t: LabApp;
before(async () => { t = await startLabApp([labSpecimenRoutes]); });
after(async () => { await t?.close(); });

test('twenty collections at once get twenty distinct, consecutive accession numbers, one ledger entry each', async () => {
  const patients = await Promise.all(Array.from({ length: 20 }, (_x, i) => t.patient(`Parallel${i}`)));
  const orders = await Promise.all(patients.map((p) => t.orders(p, ['lab-cbc'])));
  const entries = await t.ledgerEntries();
  const replies = await Promise.all(patients.map((p, i) => t.post('/api/lab/collections', { patient: p, orders: orders[i] })));
  for (const r of replies) assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(await t.ledgerEntries(), entries + 20);
  const accessions = replies.map((r) => r.body.specimens[0].accession as string);
  assert.equal(new Set(accessions).size, 20);
  const day = accessionDay(new Date());
  const sequences = accessions.map((a) => {
    const parsed = parseAccession(a);
    assert.ok(parsed, `${a} has a valid check digit`);
    assert.equal(parsed.day, day);
    return parsed.sequence;
  }).sort((x, y) => x - y);
  assert.deepEqual(sequences, Array.from({ length: 20 }, (_x, i) => i + 1));
  // Each found again by its barcode.
  const found = await t.get(`/api/lab/specimens?accession=${accessions[7]}`);
  assert.equal(found.status, 200);
  assert.equal(found.body.accession, accessions[7]);
});
