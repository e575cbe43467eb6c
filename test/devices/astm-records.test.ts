import { test } from 'node:test';
import assert from 'node:assert/strict';
import { astmChecksum } from '../../src/devices/astm-control.js';
import { encodeAstmFrames } from '../../src/devices/astm-frame-encoder.js';
import { astmComponents, astmValue, parseAstmRecord, readAstmDelimiters, DEFAULT_ASTM_DELIMITERS } from '../../src/devices/astm-records.js';
import { AstmMessageAssembler } from '../../src/devices/astm-message.js';
import { astmHostQueries, astmResultReport } from '../../src/devices/astm-results.js';
import { buildQueryAnswer } from '../../src/devices/astm-record-builder.js';

test('checksum: modulo 256 of FN..ETX as two upper-case hex digits', () => {
  const body = Buffer.from('1H|\\^&\r\x03', 'latin1');
  let sum = 0;
  for (const b of body) sum = (sum + b) % 256;
  assert.equal(astmChecksum(body), sum.toString(16).toUpperCase().padStart(2, '0'));
  assert.equal(astmChecksum(Buffer.from('7L|1|N\r\x03', 'latin1')), '0A'); // a frame seen in the cobas c111 capture
});

test('frames: one record per frame, long records split into ETB frames, numbers wrap 7 → 0', () => {
  const records = ['H|\\^&', 'R|1|'.padEnd(500, 'x'), ...Array.from({ length: 6 }, (_, i) => `C|${i}`), 'L|1|N'];
  const frames = encodeAstmFrames(records);
  assert.equal(frames.length, 1 + 3 + 6 + 1);
  assert.deepEqual(frames.map((f) => String.fromCharCode(f[1])).join(''), '12345670123');
  assert.deepEqual(frames.slice(1, 4).map((f) => f[f.length - 5]), [0x17, 0x17, 0x03]);
  for (const f of frames) {
    const end = f.length - 4;
    assert.equal(f.subarray(end, end + 2).toString(), astmChecksum(f, 1, end));
    assert.ok(f.length <= 247);
  }
});

test('delimiters come from the H record, including odd and doubled ones', () => {
  assert.deepEqual(readAstmDelimiters('H|\\^&|||x'), DEFAULT_ASTM_DELIMITERS);
  assert.deepEqual(readAstmDelimiters('H|@^\\|URM'), { field: '|', repeat: '@', component: '^', escape: '\\' });
  assert.deepEqual(readAstmDelimiters('H|\\\\^&|||miniVidas'), DEFAULT_ASTM_DELIMITERS, 'a doubled \\ is read as one');
  assert.equal(readAstmDelimiters('Hello'), undefined);
});

test('records: repeats, components, escapes', () => {
  const r = parseAstmRecord('O|1|S1^^7|x|^^^WBC\\^^^RBC|R|a&F&b&S&c&R&d&E&e', DEFAULT_ASTM_DELIMITERS);
  assert.equal(r.type, 'O');
  assert.deepEqual(astmComponents(r, 3), ['S1', '', '7']);
  assert.equal(astmValue(r, 5, 4, 2), 'RBC');
  assert.equal(astmValue(r, 7), 'a|b^c\\d&e');
});

test('assembler: ETB pieces join into one record; one frame may hold a whole message', () => {
  const a = new AstmMessageAssembler();
  const step = (t: string, final: boolean) => { const r = a.accept(t, final); r.commit(); return r.messages; };
  assert.equal(step('H|\\^&|||XN^1^^SER|||||||P|E1394-97\r', true).length, 0);
  assert.equal(step('O|1|ACC-1||^^^GLU\r', true).length, 0);
  assert.equal(step('R|1|^^^GLU|5.', false).length, 0);
  assert.equal(step('4|mmol/L|3.9-6.1|N||F||OP1||20240101\r', true).length, 0);
  const [m] = step('L|1|N\r', true);
  assert.ok(m.complete);
  const report = astmResultReport(m, 'id-1');
  assert.equal(report.observations.length, 1);
  const o = report.observations[0];
  assert.deepEqual([o.test.code, o.value, o.numericValue, o.units, o.referenceRange, o.abnormalFlags.join(), o.resultStatus, o.operator, o.observedAt, o.specimen.accessionNumber],
    ['GLU', '5.4', 5.4, 'mmol/L', '3.9-6.1', 'N', 'F', 'OP1', '20240101', 'ACC-1']);
  const whole = a.accept('H|\\^&\rP|1\rO|1|A2\rR|1|^^^K|4.1\rL|1|N\r', true);
  assert.equal(whole.messages.length, 1);
});

test('assembler: nothing is kept from a frame that is not committed (it will be sent again)', () => {
  const a = new AstmMessageAssembler();
  a.accept('H|\\^&\rO|1|A\rR|1|^^^X|1\r', true).commit();
  const first = a.accept('L|1|N\r', true);
  assert.equal(first.messages[0].records.length, 4);
  const again = a.accept('L|1|N\r', true);
  assert.equal(again.messages[0].records.length, 4, 'the retransmitted frame completes the same message once');
});

test('host query: specimen ids from Q-3 (component 2, or 3 for Sysmex/Roche), answered with O records', () => {
  const a = new AstmMessageAssembler();
  const [m] = a.accept('H|\\^&|||XN-550^00-24\rQ|1|^ACC-1\\^^ 0042^B||ALL||||||||O\rL|1|N\r', true).messages;
  assert.deepEqual(astmHostQueries(m)[0].specimenIds, ['ACC-1', '0042']);
  const records = buildQueryAnswer(['ACC-1', '0042'], [{ specimenId: 'ACC-1', testCodes: ['WBC', 'HGB'], priority: 'S' }], { now: new Date(2024, 0, 1) });
  assert.equal(records[0].slice(0, 5), 'H|\\^&');
  assert.equal(records[4].split('|')[25], 'Y', 'O-26 report type: no order on record');
  assert.deepEqual(records.slice(1), [
    'P|1|', 'O|1|ACC-1||^^^WBC\\^^^HGB|S||||||N||||||||||||||Q',
    'P|2|', 'O|1|0042|||||||||||||||||||||||Y', 'L|1|N',
  ]);
});
