import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { extractLabOrders } from '../../src/devices/hl7-lab-orders.js';
import { buildOmlO21 } from '../../src/devices/hl7-oml-builder.js';
import { createHl7LabHandler } from '../../src/devices/hl7-lab-handler.js';
import type { DeviceOrderMessage, LabDeviceSink } from '../../src/devices/lab-device-types.js';

function orders(text: string) {
  const p = parseHl7Message(text);
  assert.ok(p.ok, p.ok ? '' : p.reason);
  return extractLabOrders(p.message);
}

test('OML^O21 order groups: ORC + OBR + SPM, with the accession number', () => {
  const r = orders(['MSH|^~\\&|HIS||LAB||2024||OML^O21^OML_O21|O1|P|2.5.1', 'PID|1||UHID-5', 'ORC|NW|PL-1|ACC-1', 'OBR|1|PL-1|ACC-1|2345-7^Glucose^LN|S', 'SPM|1|TUBE-1',
    'ORC|NW|PL-2', 'OBR|1|PL-2||2951-2^Sodium^LN'].join('\r'));
  assert.ok(r.ok);
  assert.equal(r.orders.messageId, 'O1');
  assert.deepEqual(r.orders.orders.map((o) => [o.control, o.tests[0]?.code, o.specimen.accessionNumber, o.priority, o.patientIds.join()]), [
    ['NW', '2345-7', 'TUBE-1', 'S', 'UHID-5'], ['NW', '2951-2', 'PL-2', undefined, 'UHID-5'],
  ]);
});

test('ORM^O01: an OBR without its own ORC inherits the previous one; none at all is an error', () => {
  const ok = orders('MSH|^~\\&|HIS||LAB||2024||ORM^O01|O2|P|2.3\rORC|NW|PL-1\rOBR|1|PL-1||A^A^L\rOBR|2|PL-1||B^B^L');
  assert.ok(ok.ok);
  assert.equal(ok.orders.orders.length, 2);
  const bad = orders('MSH|^~\\&|HIS||LAB||2024||OML^O21|O3|P|2.5.1\rPID|1||X\rOBR|1|PL||A^A^L');
  assert.ok(!bad.ok && /OBR without a preceding ORC/.test(bad.reason));
});

test('a pharmacy/diet/supply ORM is refused as not a laboratory order', () => {
  const r = orders('MSH|^~\\&|HIS||LAB||2024||ORM^O01|O4|P|2.3\rORC|NW|RX-1\rRXO|00047^Ampicillin^NDC');
  assert.ok(!r.ok && /not a laboratory order \(it carries RXO\)/.test(r.reason) && r.errorCode === '200');
});

test('the OML^O21 the gateway builds is read back as the same order', async () => {
  const built = buildOmlO21({ specimenId: 'ACC-42', testCodes: ['685', '687'], priority: 'S', patientId: 'UHID-9' },
    { sendingApplication: 'NIRANTAR', receivingApplication: 'COBAS', controlId: 'OUT-1' });
  const r = orders(built.text);
  assert.ok(r.ok);
  assert.deepEqual(r.orders.orders.map((o) => [o.tests[0].code, o.specimen.accessionNumber, o.priority]), [['685', 'ACC-42', 'S'], ['687', 'ACC-42', 'S']]);
  let received: DeviceOrderMessage | undefined;
  const sink: LabDeviceSink = { receiveResults: async () => ({ accepted: true }), receiveOrders: async (m) => { received = m; return { accepted: true }; }, answerQuery: async () => [] };
  const p = parseHl7Message(built.text);
  assert.ok(p.ok);
  assert.equal(await createHl7LabHandler(sink)(p.message), 'AA');
  assert.equal(received?.messageId, 'OUT-1');
});
