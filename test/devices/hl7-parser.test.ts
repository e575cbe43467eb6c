import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { hl7Components, hl7RepetitionCount, hl7Segments, hl7Value, type Hl7Message } from '../../src/devices/hl7-message.js';
import { escapeHl7, unescapeHl7, DEFAULT_DELIMITERS } from '../../src/devices/hl7-encoding.js';

const ORU = ['MSH|^~\\&|LAB|HOSP|LIS|HOSP|20240101120000||ORU^R01^ORU_R01|CTRL1|P|2.5.1', 'PID|1||MRN1^^^H^MR~ALT2', 'OBR|1|PL1|FI1|CBC^Blood count^L', 'OBX|1|NM|HGB^Hemoglobin^L||13.5|g/dL|12-16|N|||F'];

function ok(input: string | Uint8Array): Hl7Message {
  const r = parseHl7Message(input);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.message;
}

test('reads the header and segments whatever the segment separator', () => {
  for (const sep of ['\r', '\n', '\r\n']) {
    const m = ok(ORU.join(sep) + sep);
    assert.equal(m.segments.length, 4);
    assert.deepEqual(m.header.messageType, { code: 'ORU', trigger: 'R01', structure: 'ORU_R01' });
    assert.equal(m.header.controlId, 'CTRL1');
    assert.equal(m.header.version, '2.5.1');
  }
});

test('strips a byte-order mark (bytes and text) and blank lines', () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ORU.join('\n\n'))]);
  assert.equal(ok(bytes).segments.length, 4);
  assert.equal(ok('\uFEFF' + ORU.join('\r')).header.controlId, 'CTRL1');
});

test('repetitions, components and subcomponents', () => {
  const m = ok(ORU.join('\r') + '\rSPM|1|PLC&NS1^FIL&NS2');
  const pid = hl7Segments(m, 'PID')[0];
  assert.equal(hl7RepetitionCount(pid, 3), 2);
  assert.equal(hl7Value(pid, 3, 1, 1, 2), 'ALT2');
  assert.deepEqual(hl7Components(pid, 3), ['MRN1', '', '', 'H', 'MR']);
  const spm = hl7Segments(m, 'SPM')[0];
  assert.equal(hl7Value(spm, 2, 1, 2), 'NS1');
  assert.equal(hl7Value(spm, 2, 2, 1), 'FIL');
});

test('custom encoding characters declared in MSH-1/MSH-2', () => {
  const m = ok('MSH#*!@%#A#B#C#D#2024##ORU*R01#X9#P#2.5\rOBX#1#ST#T1*Test#1#a@F@b@S@c@T@d@R@e@E@f!second#');
  const obx = hl7Segments(m, 'OBX')[0];
  assert.equal(m.header.messageType.trigger, 'R01');
  assert.equal(hl7Value(obx, 3, 2), 'Test');
  assert.equal(hl7Value(obx, 5), 'a#b*c%d!e@f');
  assert.equal(hl7Value(obx, 5, 1, 1, 2), 'second');
});

test('escape sequences \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ and hex, formatting escapes kept', () => {
  assert.equal(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', DEFAULT_DELIMITERS), 'a|b^c&d~e\\f');
  assert.equal(unescapeHl7('\\X41\\\\.br\\x\\unterminated', DEFAULT_DELIMITERS), 'A\\.br\\x\\unterminated');
  const text = 'A|B^C&D~E\\F';
  assert.equal(unescapeHl7(escapeHl7(text), DEFAULT_DELIMITERS), text);
});

test('MSH-18 8859/1 decodes Latin-1 bytes', () => {
  const m = ok(Buffer.from('MSH|^~\\&|A||B||2024||ORU^R01|1|P|2.5||||||8859/1\rOBX|1|ST|X||Gr\xfcn', 'latin1'));
  assert.equal(m.header.characterSet, '8859/1');
  assert.equal(hl7Value(hl7Segments(m, 'OBX')[0], 5), 'Grün');
});

test('broken input is a rejection with a reason, never an exception', () => {
  const cases: [string | Buffer, string, RegExp][] = [
    ['', 'AR', /does not start with an MSH/],
    ['garbage\x00\xff', 'AR', /does not start with an MSH/],
    ['PID|1\rMSH|^~\\&|A', 'AR', /does not start with an MSH/],
    ['MSH', 'AR', /field separator/],
    ['MSHA^~\\&|x', 'AR', /field separator/],
    ['MSH|^^\\&|A|B|C|D|1||ORU^R01|1|P|2.5', 'AR', /not distinct/],
    ['MSH|^~\\&|A|B|C|D|1||ORU^R01||P|2.5', 'AR', /MSH-10/],
    ['MSH|^~\\&|A|B|C|D|1|||7|P|2.5', 'AR', /MSH-9/],
    ['MSH|^~\\&|A|B|C|D|1||ORU^R01|7|P|2.5\rthis is not a segment', 'AE', /line 2 is not a segment/],
    ['MSH|^~\\&|A|B|C|D|1||ORU^R01|7|P|2.5\rMSH|^~\\&|A|B|C|D|1||ORU^R01|8|P|2.5', 'AE', /second MSH/],
  ];
  for (const [input, code, reason] of cases) {
    const r = parseHl7Message(input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) { assert.equal(r.ackCode, code, JSON.stringify(input)); assert.match(r.reason, reason); }
  }
  const r = parseHl7Message('MSH|^~\\&|A|B|C|D|1||ORU^R01|7|P|2.5\rthis is not a segment');
  assert.ok(!r.ok && r.header?.controlId === '7', 'the header survives so the ACK can quote MSH-10');
});
