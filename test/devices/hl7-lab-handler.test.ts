import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { createHl7LabHandler } from '../../src/devices/hl7-lab-handler.js';
import type { LabDeviceSink } from '../../src/devices/lab-device-types.js';

let accept = true;
const sink: LabDeviceSink = {
  receiveResults: async () => (accept ? { accepted: true } : { accepted: false, reason: 'ledger write failed' }),
  receiveOrders: async () => ({ accepted: true }),
  answerQuery: async () => [],
};
const handle = (text: string) => {
  const p = parseHl7Message(text);
  assert.ok(p.ok);
  return createHl7LabHandler(sink)(p.message);
};
const oru = (type: string, version = '2.5.1') => `MSH|^~\\&|A||B||2024||${type}|1|P|${version}\rOBR|1||F|X\rOBX|1|NM|A^A^L||1|||||F`;

test('routing: results and orders accepted, everything else refused with the HL7 error code that says why', async () => {
  assert.equal(await handle(oru('ORU^R01')), 'AA');
  assert.deepEqual(await handle(oru('ADT^A01')), { code: 'AR', reason: 'ADT^A01 is not a laboratory message this gateway accepts (ORU^R01, OUL^R22, OUL^R23, OUL^R24, OML^O21, ORM^O01, QBP^Q11, QRY^Q02)', errorCode: '200', location: { segment: 'MSH', field: 9 } });
  const event = await handle(oru('ORU^R30'));
  assert.ok(event !== 'AA' && !('reply' in event) && event.code === 'AR' && event.errorCode === '201');
  const version = await handle(oru('ORU^R01', '3.0'));
  assert.ok(version !== 'AA' && !('reply' in version) && version.code === 'AR' && version.errorCode === '203');
  assert.equal(await handle(oru('ORU^R01', '')), 'AA', 'a missing MSH-12 is tolerated');
});

test('the lab refusing the content is an AE with its reason (the sender keeps the message)', async () => {
  accept = false;
  const r = await handle(oru('ORU^R01'));
  assert.deepEqual(r, { code: 'AE', reason: 'ledger write failed', errorCode: '207' });
  accept = true;
});
