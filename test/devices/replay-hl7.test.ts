/**
 * Every HL7 v2 message in ../shared/data/hl7v2, sent byte for byte (byte-order marks and LF segment
 * separators included) over a real MLLP socket to the gateway, and the ACK checked per file.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMllpServer } from '../../src/devices/mllp-server.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { createHl7LabHandler } from '../../src/devices/hl7-lab-handler.js';
import type { DeviceOrderMessage, DeviceResultReport, LabDeviceSink } from '../../src/devices/lab-device-types.js';
import { sharedDataFiles } from './support/shared-data.js';

interface Expect { ack: 'AA' | 'AE' | 'AR'; reason?: RegExp; observations?: number; orders?: number; accession?: string[]; check?: (r: DeviceResultReport) => void }

const notLab = { ack: 'AR', reason: /is not a laboratory message/ } as const;
const notLabOrder = (kind: string) => ({ ack: 'AR', reason: new RegExp(`not a laboratory order \\(it carries ${kind}\\)`) }) as const;
const EXPECTED: Record<string, Expect> = {
  'ADT-A01-01.hl7': notLab, 'ADT-A04-01.hl7': notLab, 'ADT-A08-01.hl7': notLab, 'ADT-A40-01.hl7': notLab,
  'LAB-ORM-1.hl7': { ack: 'AA', orders: 1, accession: ['82503246'] },
  'LAB-ORU-1.hl7': { ack: 'AA', observations: 10, accession: ['SpecimenID'], check: (r) => assert.equal(r.observations.filter((o) => o.resultStatus === 'I').length, 2) },
  'LAB-ORU-2.hl7': { ack: 'AA', observations: 10, accession: ['SpecimenID'], check: (r) => assert.equal(r.observations[0].numericValue, 0) },
  'LRI_2.0-NG_CBC_Typ_Message.hl7': { ack: 'AA', observations: 28, accession: ['R-991133'], check: (r) => {
    assert.deepEqual(r.observations.filter((o) => o.abnormalFlags.includes('HH')).map((o) => o.test.code), ['26464-8', '26449-9', '26474-7', '26499-4']);
    assert.equal(r.observations.filter((o) => o.valueType === 'CWE').length, 6);
  } },
  // The ORC segment is fused into the GT1 line (its segment separator was lost), so the OBR has no ORC.
  'MDHHS-OML-O21-1.hl7': { ack: 'AE', reason: /OBR without a preceding ORC/ },
  'MDHHS-OML-O21-2.hl7': { ack: 'AA', orders: 2, accession: ['R-783274'] },
  'OML-O21-01.hl7': { ack: 'AA', orders: 1 },
  'OML-O21-02.hl7': { ack: 'AA', orders: 2 }, // named OML but MSH-9 says ORM^O01
  'OML-O21-03.hl7': { ack: 'AA', orders: 5 },
  'ORM-O01-01.hl7': { ack: 'AA', orders: 1 }, 'ORM-O01-02.hl7': { ack: 'AA', orders: 1 }, 'ORM-O01-03.hl7': { ack: 'AA', orders: 2 },
  'ORM-O01-04.hl7': notLabOrder('ODS'), 'ORM-O01-05.hl7': notLabOrder('RQD/RQ1'), 'ORM-O01-06.hl7': notLabOrder('RXO'),
  'ORU-R01-01.hl7': { ack: 'AA', observations: 5, check: (r) => {
    assert.deepEqual(r.observations.map((o) => o.context), ['patient', 'patient', 'order', 'order', 'order']);
    assert.ok(r.observations[1].issues.some((i) => /OBX-3/.test(i)), 'the ED OBX without an identifier is flagged');
    assert.ok(r.observations[4].issues.some((i) => /repeats/.test(i)), 'NM "27~25" is flagged');
    assert.equal(r.observations[2].specimen.accessionNumber, '2012999999');
  } },
  'ORU-R01-RMGEAD.hl7': { ack: 'AA', observations: 1, accession: ['1045813'], check: (r) => assert.deepEqual([r.observations[0].value, r.observations[0].numericValue, r.observations[0].abnormalFlags[0]], ['182', 182, 'H']) },
  'OUL-R22-01.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1'] },
  'OUL-R22-02.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1', '2018-PAT-123456-1'] },
  'OUL-R23-01.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1'] },
  'OUL-R23-02.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1', '2018-PAT-123456-1'] },
  'OUL-R24-01.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1'] },
  'OUL-R24-02.hl7': { ack: 'AA', observations: 7, accession: ['', '2017-PAT-123456-1', '4be96bcbf8cda8b07403263b92cb4'] },
};

let lastResults: DeviceResultReport | undefined;
let lastOrders: DeviceOrderMessage | undefined;
const sink: LabDeviceSink = {
  receiveResults: async (r) => { lastResults = r; return { accepted: true }; },
  receiveOrders: async (o) => { lastOrders = o; return { accepted: true }; },
  answerQuery: async () => [],
};
const server = createMllpServer({ handler: createHl7LabHandler(sink) });
const { port } = await server.listen(0);
after(() => server.close());

test('every HL7 v2 message in shared/data is answered with the right ACK over MLLP', async (t) => {
  const files = sharedDataFiles('hl7v2', '.hl7');
  assert.deepEqual(files.map((f) => f.name).sort(), Object.keys(EXPECTED).sort(), 'every data file has an expectation');
  const client = await MllpClient.connect(port);
  const tally: Record<string, number> = { AA: 0, AE: 0, AR: 0 };
  let passed = 0;
  for (const { name, bytes } of files) {
    const e = EXPECTED[name];
    lastResults = undefined;
    lastOrders = undefined;
    const ack = await client.send(bytes);
    const controlId = bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n|\r/)[0].split('|')[9];
    const check = () => {
      assert.equal(ack.code, e.ack, `${name}: ${ack.reason}`);
      assert.equal(ack.controlId, controlId, 'MSA-2 echoes MSH-10');
      if (e.reason) assert.match(ack.reason, e.reason);
      if (e.ack !== 'AA') assert.ok(ack.reason.length > 0, 'AE/AR carry a reason');
      if (e.observations !== undefined) {
        assert.equal(lastResults?.observations.length, e.observations);
        assert.equal(lastResults?.messageId, controlId);
      }
      if (e.orders !== undefined) assert.equal(lastOrders?.orders.length, e.orders);
      if (e.accession) {
        const acc = lastResults ? lastResults.observations.map((o) => o.specimen.accessionNumber ?? '') : lastOrders!.orders.map((o) => o.specimen.accessionNumber ?? '');
        assert.deepEqual([...new Set(acc)], e.accession);
      }
      if (e.check && lastResults) e.check(lastResults);
    };
    await t.test(name, check);
    tally[ack.code]++;
    try { check(); passed++; } catch { /* reported by the subtest */ }
  }
  await client.close();
  console.log(`HL7 v2 replay: ${passed}/${files.length} messages answered as expected over MLLP (AA ${tally.AA}, AE ${tally.AE}, AR ${tally.AR}); ` +
    `${Object.values(EXPECTED).filter((e) => e.observations).reduce((n, e) => n + (e.observations ?? 0), 0)} observations extracted`);
});
