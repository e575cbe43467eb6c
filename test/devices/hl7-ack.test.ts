import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHl7Ack, readAckCode } from '../../src/devices/hl7-ack.js';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { hl7Segments, hl7Value } from '../../src/devices/hl7-message.js';

const incoming = 'MSH|^~\\&|ANALYZER^1.2^L|LABFAC|LIS|HOSP|20240101||ORU^R01^ORU_R01|MSG-77|T|2.5.1\rOBX|1|NM|X||1';

function parsed() {
  const r = parseHl7Message(incoming);
  assert.ok(r.ok);
  return r.message;
}

test('AA swaps sender and receiver and echoes the control id, processing id and version', () => {
  const m = parsed();
  const ack = parseHl7Message(buildHl7Ack({ code: 'AA', original: m.header, delimiters: m.delimiters, now: new Date(2024, 0, 2, 3, 4, 5) }));
  assert.ok(ack.ok);
  const h = ack.message.header;
  const msh = ack.message.segments[0];
  assert.equal(hl7Value(msh, 3), 'LIS');
  assert.equal(hl7Value(msh, 4), 'HOSP');
  assert.equal(hl7Value(msh, 5, 1), 'ANALYZER');
  assert.equal(hl7Value(msh, 5, 2), '1.2');
  assert.equal(hl7Value(msh, 6), 'LABFAC');
  assert.deepEqual(h.messageType, { code: 'ACK', trigger: 'R01', structure: 'ACK' });
  assert.notEqual(h.controlId, 'MSG-77');
  assert.ok(h.controlId.length <= 20);
  assert.equal(h.processingId, 'T');
  assert.equal(h.version, '2.5.1');
  assert.match(h.dateTime, /^20240102030405[+-]\d{4}$/);
  const msa = hl7Segments(ack.message, 'MSA')[0];
  assert.equal(hl7Value(msa, 1), 'AA');
  assert.equal(hl7Value(msa, 2), 'MSG-77');
  assert.equal(hl7Segments(ack.message, 'ERR').length, 0);
});

test('AE/AR carry an ERR segment with code, location, severity and an escaped reason', () => {
  const m = parsed();
  const text = buildHl7Ack({ code: 'AE', original: m.header, delimiters: m.delimiters, reason: 'OBX-5 a|b^c', errorCode: '102', location: { segment: 'OBX', sequence: 1, field: 5 } });
  const ack = parseHl7Message(text);
  assert.ok(ack.ok);
  const err = hl7Segments(ack.message, 'ERR')[0];
  assert.equal(hl7Value(err, 2, 1), 'OBX');
  assert.equal(hl7Value(err, 2, 3), '5');
  assert.equal(hl7Value(err, 3, 1), '102');
  assert.equal(hl7Value(err, 3, 3), 'HL70357');
  assert.equal(hl7Value(err, 4), 'E');
  assert.equal(hl7Value(err, 8), 'OBX-5 a|b^c');
  assert.equal(hl7Value(hl7Segments(ack.message, 'MSA')[0], 3), 'OBX-5 a|b^c');
  assert.deepEqual(readAckCode(text)?.code, 'AE');
});

test('an ACK for an unreadable message still has a valid MSH and an empty MSA-2', () => {
  const ack = parseHl7Message(buildHl7Ack({ code: 'AR', reason: 'message does not start with an MSH segment', errorCode: '100', localApplication: 'NIRANTAR' }));
  assert.ok(ack.ok);
  assert.equal(hl7Value(ack.message.segments[0], 3), 'NIRANTAR');
  const msa = hl7Segments(ack.message, 'MSA')[0];
  assert.equal(hl7Value(msa, 1), 'AR');
  assert.equal(hl7Value(msa, 2), '');
});

test('an ACK uses the sender\'s own delimiters', () => {
  const r = parseHl7Message('MSH#*!@%#A#B#C#D#2024##ORU*R01#X9#P#2.5\rOBX#1');
  assert.ok(r.ok);
  const text = buildHl7Ack({ code: 'AA', original: r.message.header, delimiters: r.message.delimiters });
  assert.ok(text.startsWith('MSH#*!@%#C#D#A#B#'));
  assert.match(text, /\rMSA#AA#X9\r$/);
});
