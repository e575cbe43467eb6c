import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { extractLabResults } from '../../src/devices/hl7-lab-results.js';
import type { DeviceResultReport } from '../../src/devices/lab-device-types.js';

function extract(lines: string[]) {
  const p = parseHl7Message(lines.join('\r'));
  assert.ok(p.ok, p.ok ? '' : p.reason);
  return extractLabResults(p.message);
}

function report(lines: string[]): DeviceResultReport {
  const r = extract(lines);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.report;
}

const MSH = (type: string) => `MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||${type}|C1|P|2.5.1`;

test('ORU^R01: every OBX field the lab needs, tied to its order and specimen', () => {
  const r = report([
    MSH('ORU^R01^ORU_R01'), 'PID|1||UHID-1^^^AIIMS^MR', 'ORC|RE|PL-9|ACC-123',
    'OBR|1|PL-9|ACC-123|58410-2^CBC panel^LN|||20240627130000|||||||||||||||20240627135500|||F',
    'OBX|1|NM|718-7^Hemoglobin^LN||8.0|g/dL^^UCUM|12.0-16.0|L~A|||F|||20240627135407||OP7^Operator||XN-550-01^SYSMEX',
    'OBX|2|SN|777-3^Platelets^LN||>^1000|10*3/uL||HH|||C', 'OBX|3|SN|5902-2^PT^LN||^12.5|s||N|||F',
    'OBX|4|CWE|883-9^ABO group^LN||LA19710-5^Group A^LN||||||F', 'OBX|5|ST|8251-1^Comment^LN||see smear||||||P',
    'SPM|1|TUBE-77^ACC-123||BLD^Blood^HL70487',
  ]);
  assert.equal(r.protocol, 'hl7v2');
  assert.equal(r.messageId, 'C1');
  assert.equal(r.instrument, 'XN-550^SYSMEX');
  assert.deepEqual(r.patientIds, ['UHID-1']);
  assert.equal(r.observations.length, 5);
  const [hgb, plt, pt, abo, comment] = r.observations;
  assert.deepEqual({ ...hgb.test, components: undefined }, { code: '718-7', text: 'Hemoglobin', system: 'LN', components: undefined });
  assert.equal(hgb.setId, '1');
  assert.equal(hgb.valueType, 'NM');
  assert.equal(hgb.value, '8.0');
  assert.equal(hgb.numericValue, 8);
  assert.equal(hgb.units, 'g/dL');
  assert.equal(hgb.referenceRange, '12.0-16.0');
  assert.deepEqual(hgb.abnormalFlags, ['L', 'A']);
  assert.equal(hgb.resultStatus, 'F');
  assert.equal(hgb.observedAt, '20240627135407');
  assert.equal(hgb.performingDevice, 'XN-550-01');
  assert.equal(hgb.operator, 'OP7');
  assert.equal(hgb.context, 'order');
  assert.deepEqual(hgb.issues, []);
  assert.equal(hgb.specimen.accessionNumber, 'ACC-123', 'SPM-2 filler id first');
  assert.deepEqual(hgb.specimen.candidates, ['ACC-123', 'TUBE-77', 'PL-9']);
  assert.equal(hgb.specimen.fillerOrderNumber, 'ACC-123');
  assert.equal(plt.value, '>1000');
  assert.equal(plt.numericValue, undefined, 'a comparator is not a plain number');
  assert.equal(plt.resultStatus, 'C');
  assert.equal(pt.numericValue, 12.5);
  assert.equal(abo.codedValue?.code, 'LA19710-5');
  assert.equal(abo.value, 'Group A');
  assert.equal(comment.value, 'see smear');
  assert.equal(comment.performingDevice, 'XN-550^SYSMEX', 'falls back to the sending application');
});

test('OUL^R22 is specimen-first: SPM, its OBX, then OBR and the results', () => {
  const r = report([
    MSH('OUL^R22^OUL_R22'), 'PID|1||P1', 'SPM|1|S-1&LAB||BLD', 'OBX|1|NM|VOL^Volume^L||3|mL||||||F', 'SAC||C-1',
    'OBR||PL-1|FL-1|GLU^Glucose^L', 'ORC|SC|PL-1|FL-1', 'OBX|1|NM|GLU^Glucose^L||5.4|mmol/L||||||F',
    'SPM|2|S-2&LAB||SER', 'OBR||PL-2|FL-2|NA^Sodium^L', 'OBX|1|NM|NA^Sodium^L||140|mmol/L||||||F',
  ]);
  assert.deepEqual(r.observations.map((o) => [o.test.code, o.context, o.specimen.accessionNumber]), [
    ['VOL', 'specimen', 'S-1'], ['GLU', 'order', 'S-1'], ['NA', 'order', 'S-2'],
  ]);
  assert.equal(r.observations[1].specimen.fillerOrderNumber, 'FL-1');
});

test('OUL^R24 is order-first; an OBX before any order belongs to the patient', () => {
  const r = report([MSH('OUL^R24^OUL_R24'), 'PID|1||P1', 'OBX|1|NM|HR^Heart rate^L||60|/min||||||F', 'OBR||PL-1|FL-1|K^Potassium^L', 'ORC|SC|PL-1|FL-1', 'SPM|1|S-9', 'OBX|1|NM|K^Potassium^L||4.1|mmol/L||||||F']);
  assert.deepEqual(r.observations.map((o) => [o.test.code, o.context, o.specimen.accessionNumber ?? '']), [['HR', 'patient', ''], ['K', 'order', 'S-9']]);
});

test('values that disagree with their type are kept and flagged for review', () => {
  const r = report([MSH('ORU^R01'), 'OBR|1||F1|X', 'OBX|1|NM|A^A^L||12,5|||||F', 'OBX|2|NM|B^B^L||1~2||||||F', 'OBX|3|NM|C^C^L||||||||F', 'OBX|4|NM|||7||||||F', 'OBX|5|NM|E^E^L||||||||I']);
  const issues = r.observations.map((o) => o.issues);
  assert.match(issues[0].join(), /not a number/);
  assert.equal(r.observations[0].value, '12,5');
  assert.match(issues[1].join(), /repeats/);
  assert.deepEqual(r.observations[1].values, ['1', '2']);
  assert.match(issues[2].join(), /OBX-11 is F but OBX-5 is empty/);
  assert.match(issues[3].join(), /OBX-3 observation identifier is empty/);
  assert.deepEqual(issues[4], [], 'pending (I) with no value is normal');
});

test('missing required segments are errors with a reason', () => {
  const noObx = extract([MSH('ORU^R01'), 'PID|1||P', 'OBR|1||F|X']);
  assert.ok(!noObx.ok && /no OBX/.test(noObx.reason) && noObx.errorCode === '100');
  const noObr = extract([MSH('ORU^R01'), 'PID|1||P', 'OBX|1|NM|A^A^L||1']);
  assert.ok(!noObr.ok && /no OBR/.test(noObr.reason));
  const noSpm = extract([MSH('OUL^R22'), 'OBR||P|F|X', 'OBX|1|NM|A^A^L||1']);
  assert.ok(!noSpm.ok && /no SPM/.test(noSpm.reason));
});
