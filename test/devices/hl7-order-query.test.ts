/**
 * An analyzer asking for a tube's orders over HL7 (QBP^Q11, QRY^Q02), end to end over a real MLLP
 * socket: createMllpServer + createHl7LabHandler, with a small in-process laboratory (the sink is the
 * collaborator here, not the thing under test) that knows two accession numbers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createMllpServer } from '../../src/devices/mllp-server.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { createHl7LabHandler } from '../../src/devices/hl7-lab-handler.js';
import { buildOmlO21 } from '../../src/devices/hl7-oml-builder.js';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { hl7Segments, hl7Value, type Hl7Message, type Hl7Segment } from '../../src/devices/hl7-message.js';
import type { AnalyzerOrder, DeviceHostQuery, LabDeviceSink, SinkOutcome } from '../../src/devices/lab-device-types.js';

/** A laboratory that has open orders for fixed accession numbers, and can be made unreachable. */
class FixedOrdersLab implements LabDeviceSink {
  readonly queries: DeviceHostQuery[] = [];
  reachable = true;
  constructor(private readonly orders: readonly AnalyzerOrder[]) {}
  async answerQuery(query: DeviceHostQuery): Promise<readonly AnalyzerOrder[]> {
    this.queries.push(query);
    if (!this.reachable) throw new Error('connect ECONNREFUSED 10.0.0.5:8443');
    // In the order asked, as the lab's answerHostQuery does.
    return query.specimenIds.flatMap((id) => this.orders.filter((o) => o.specimenId === id));
  }
  async receiveResults(): Promise<SinkOutcome> { return { accepted: true }; }
  async receiveOrders(): Promise<SinkOutcome> { return { accepted: true }; }
}

const CHEMISTRY: AnalyzerOrder = { specimenId: 'ACC-1001', testCodes: ['GLU', 'CREA', 'ALT'], priority: 'S', patientId: 'UHID-77' };
const HAEMATOLOGY: AnalyzerOrder = { specimenId: 'ACC-1002', testCodes: ['WBC'], priority: 'R' };
const lab = new FixedOrdersLab([CHEMISTRY, HAEMATOLOGY]);
const server = createMllpServer({ handler: createHl7LabHandler(lab, { localApplication: 'NIRANTAR' }), handlerTimeoutMs: 2000 });
const { port } = await server.listen(0);
const client = await MllpClient.connect(port, '127.0.0.1', 5000);
after(async () => { await client.close(); await server.close(); });

const qbp = (id: string, qpd: string | undefined) =>
  [`MSH|^~\\&|COBAS-PURE|LAB-2|NIRANTAR|HOSP|20260101120000||QBP^Q11^QBP_Q11|${id}|P|2.5.1|||NE|AL`, qpd, 'RCP|I||R'].filter(Boolean).join('\r') + '\r';
const qry = (id: string, qrd: string) =>
  `MSH|^~\\&|Mindray|BS-240|||20260101120000||QRY^Q02|${id}|P|2.3.1||||||ASCII\r${qrd}\rQRF||||||RCT|COR|ALL||\r`;

async function ask(text: string): Promise<Hl7Message> {
  const reply = await client.send(text);
  const parsed = parseHl7Message(reply.text);
  assert.ok(parsed.ok, 'the reply parses as HL7');
  return parsed.message;
}
const one = (m: Hl7Message, name: string): Hl7Segment => {
  const s = hl7Segments(m, name);
  assert.equal(s.length, 1, `exactly one ${name}`);
  return s[0];
};
const type = (m: Hl7Message) => `${m.header.messageType.code}^${m.header.messageType.trigger}^${m.header.messageType.structure}`;
/** ORC/OBR/SPM as wire text with ORC-9 (the transaction time) blanked, to compare two builds. */
const groups = (m: Hl7Message) => m.segments.filter((s) => ['PID', 'ORC', 'OBR', 'SPM'].includes(s.name))
  .map((s) => (s.name === 'ORC' ? { ...s, fields: s.fields.slice(0, 9) } : s))
  .map((s) => `${s.name}|${s.fields.slice(1).map((f) => f.map((r) => r.map((c) => c.join('&')).join('^')).join('~')).join('|')}`);

test('QBP^Q11 for a known tube: RSP^K11 with AA, QAK OK, the QPD echoed and the orders as OML^O21 order groups', async () => {
  const m = await ask(qbp('Q-1', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-1|ACC-1001'));
  assert.equal(type(m), 'RSP^K11^RSP_K11');
  assert.equal(hl7Value(m.segments[0], 3), 'NIRANTAR', 'we answer as the application the analyzer addressed');
  assert.equal(hl7Value(m.segments[0], 5), 'COBAS-PURE');
  assert.deepEqual([hl7Value(one(m, 'MSA'), 1), hl7Value(one(m, 'MSA'), 2)], ['AA', 'Q-1']);
  const qak = one(m, 'QAK');
  assert.deepEqual([hl7Value(qak, 1), hl7Value(qak, 2), hl7Value(qak, 3)], ['TAG-1', 'OK', 'WOS']);
  assert.deepEqual([hl7Value(one(m, 'QPD'), 2), hl7Value(one(m, 'QPD'), 3)], ['TAG-1', 'ACC-1001']);
  assert.deepEqual(hl7Segments(m, 'OBR').map((s) => hl7Value(s, 4)), ['GLU', 'CREA', 'ALT'], 'test codes in OBR-4');
  assert.deepEqual(hl7Segments(m, 'OBR').map((s) => hl7Value(s, 5)), ['S', 'S', 'S'], 'stat priority in OBR-5');
  assert.ok(hl7Segments(m, 'SPM').every((s) => hl7Value(s, 2) === 'ACC-1001'), 'the accession number in SPM-2');
  assert.ok(hl7Segments(m, 'ORC').every((s) => hl7Value(s, 1) === 'NW' && hl7Value(s, 2) === 'ACC-1001'), 'and in ORC-2');
  assert.equal(hl7Value(one(m, 'PID'), 3), 'UHID-77');
  const oml = parseHl7Message(buildOmlO21(CHEMISTRY, { sendingApplication: 'NIRANTAR', receivingApplication: 'COBAS-PURE' }).text);
  assert.ok(oml.ok);
  assert.deepEqual(groups(m), groups(oml.message), 'the same order groups an OML^O21 push carries');
  assert.deepEqual(lab.queries.at(-1), { protocol: 'hl7v2', instrument: 'COBAS-PURE', specimenIds: ['ACC-1001'] });
});

test('several tubes in QPD-3: the known ones answered, each under its own PID, the unknown one left out', async () => {
  const m = await ask(qbp('Q-2', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-2|ACC-1002~ACC-9999~ACC-1001'));
  assert.equal(hl7Value(one(m, 'QAK'), 2), 'OK');
  assert.deepEqual(lab.queries.at(-1)?.specimenIds, ['ACC-1002', 'ACC-9999', 'ACC-1001']);
  assert.deepEqual(hl7Segments(m, 'PID').map((s) => hl7Value(s, 1)), ['1', '2']);
  assert.deepEqual(hl7Segments(m, 'OBR').map((s) => `${hl7Value(s, 2)}:${hl7Value(s, 4)}`), ['ACC-1002:WBC', 'ACC-1001:GLU', 'ACC-1001:CREA', 'ACC-1001:ALT']);
});

test('an unknown tube is NF with AA: no orders, never an error', async () => {
  const m = await ask(qbp('Q-3', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-3|NO-SUCH-TUBE'));
  assert.equal(type(m), 'RSP^K11^RSP_K11');
  assert.equal(hl7Value(one(m, 'MSA'), 1), 'AA');
  assert.deepEqual([hl7Value(one(m, 'QAK'), 1), hl7Value(one(m, 'QAK'), 2)], ['TAG-3', 'NF']);
  assert.equal(hl7Value(one(m, 'QPD'), 3), 'NO-SUCH-TUBE');
  assert.deepEqual(hl7Segments(m, 'ORC').concat(hl7Segments(m, 'OBR'), hl7Segments(m, 'ERR')), []);
});

test('the laboratory unreachable: AE with a reason (QAK AE), the connection keeps serving, nothing internal leaks', async () => {
  lab.reachable = false;
  try {
    const m = await ask(qbp('Q-4', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-4|ACC-1001'));
    assert.equal(type(m), 'RSP^K11^RSP_K11');
    assert.deepEqual([hl7Value(one(m, 'MSA'), 1), hl7Value(one(m, 'MSA'), 2)], ['AE', 'Q-4']);
    assert.match(hl7Value(one(m, 'ERR'), 8), /laboratory server could not be asked.*query again/);
    assert.equal(hl7Value(one(m, 'ERR'), 3), '207');
    assert.deepEqual([hl7Value(one(m, 'QAK'), 1), hl7Value(one(m, 'QAK'), 2)], ['TAG-4', 'AE']);
    assert.deepEqual(hl7Segments(m, 'OBR'), []);
    assert.doesNotMatch(m.segments.map((s) => hl7Value(s, 8)).join(' '), /ECONNREFUSED|10\.0\.0\.5/);
  } finally {
    lab.reachable = true;
  }
  const again = await ask(qbp('Q-5', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-5|ACC-1002'));
  assert.equal(hl7Value(one(again, 'QAK'), 2), 'OK', 'the same connection answers the next query');
  const ack = await ask('MSH|^~\\&|COBAS-PURE||NIRANTAR||20260101||ORU^R01|R-1|P|2.5.1\rOBR|1||ACC-1002|WBC\rOBX|1|NM|WBC^WBC^L||7.1|||||F\r');
  assert.equal(type(ack), 'ACK^R01^ACK', 'a result after a query still gets a plain ACK');
  assert.equal(hl7Value(one(ack, 'MSA'), 1), 'AA');
});

test('malformed queries are AE naming what is missing', async () => {
  const noQpd = await ask(qbp('Q-6', undefined));
  assert.equal(hl7Value(one(noQpd, 'MSA'), 1), 'AE');
  assert.match(hl7Value(one(noQpd, 'ERR'), 8), /no QPD segment/);
  assert.equal(hl7Value(one(noQpd, 'ERR'), 2), 'QPD');
  const noTube = await ask(qbp('Q-7', 'QPD|WOS^Work Order Step^IHE_LABTF|TAG-7|'));
  assert.equal(hl7Value(one(noTube, 'MSA'), 1), 'AE');
  assert.match(hl7Value(one(noTube, 'ERR'), 8), /QPD-3 carries no specimen/);
  assert.deepEqual([hl7Value(one(noTube, 'ERR'), 2, 1), hl7Value(one(noTube, 'ERR'), 2, 3), hl7Value(one(noTube, 'ERR'), 3)], ['QPD', '3', '101']);
  assert.deepEqual([hl7Value(one(noTube, 'QAK'), 1), hl7Value(one(noTube, 'QAK'), 2)], ['TAG-7', 'AE']);
  const noBarcode = await ask(qry('Q-8', 'QRD|20260101120000|R|D|8|||RD||OTH|||T'));
  assert.equal(type(noBarcode), 'QCK^Q02^QCK_Q02');
  assert.equal(hl7Value(one(noBarcode, 'MSA'), 1), 'AE');
  assert.match(hl7Value(one(noBarcode, 'ERR'), 8), /QRD-8 .* no sample barcode/);
  const noQrd = await ask(`MSH|^~\\&|Mindray|BS-240|||20260101||QRY^Q02|Q-9|P|2.3.1\r`);
  assert.match(hl7Value(one(noQrd, 'ERR'), 8), /no QRD segment/);
  const otherQuery = await ask(qbp('Q-10', 'QPD|Q22^Find Candidates^HL7|TAG-10|ACC-1001').replace('QBP^Q11^QBP_Q11', 'QBP^Q22^QBP_Q21'));
  assert.deepEqual([hl7Value(one(otherQuery, 'MSA'), 1), hl7Value(one(otherQuery, 'ERR'), 3)], ['AR', '201'], 'a query this gateway does not answer is refused as such');
  const asked = lab.queries.length;
  const tooMany = await ask(qbp('Q-11', `QPD|WOS^Work Order Step^IHE_LABTF|TAG-11|${Array.from({ length: 501 }, (_, i) => `T${i}`).join('~')}`));
  assert.match(hl7Value(one(tooMany, 'ERR'), 8), /names 501 tubes; ask about at most 500/);
  assert.equal(lab.queries.length, asked, 'an oversized query never reaches the lab');
  assert.deepEqual(lab.queries.filter((q) => q.specimenIds.length === 0), [], 'the lab is never asked about nothing');
});

test('QRY^Q02 (Mindray style, QRD-8 = barcode): DSR^Q03 with the tests as DSP lines; unknown tube QCK^Q02 NF', async () => {
  const m = await ask(qry('M-1', 'QRD|20260101120000|R|D|11|||RD|ACC-1001|OTH|||T'));
  assert.equal(type(m), 'DSR^Q03^DSR_Q03');
  assert.equal(m.header.version, '2.3.1', 'answered in the analyzer\'s version');
  assert.deepEqual([hl7Value(one(m, 'MSA'), 1), hl7Value(one(m, 'MSA'), 2)], ['AA', 'M-1']);
  assert.deepEqual([hl7Value(one(m, 'QAK'), 1), hl7Value(one(m, 'QAK'), 2)], ['SR', 'OK']);
  assert.equal(hl7Value(one(m, 'QRD'), 8), 'ACC-1001', 'QRD echoed');
  assert.equal(hl7Segments(m, 'QRF').length, 1);
  const dsp = new Map(hl7Segments(m, 'DSP').map((s) => [Number(hl7Value(s, 1)), hl7Value(s, 3)]));
  assert.deepEqual([dsp.get(1), dsp.get(21), dsp.get(24)], ['UHID-77', 'ACC-1001', 'Y']);
  assert.deepEqual([dsp.get(29), dsp.get(30), dsp.get(31), dsp.get(32)], ['GLU', 'CREA', 'ALT', undefined]);
  assert.equal(m.segments.at(-1)?.name, 'DSC');
  assert.deepEqual(lab.queries.at(-1), { protocol: 'hl7v2', instrument: 'Mindray', specimenIds: ['ACC-1001'] });

  const none = await ask(qry('M-2', 'QRD|20260101120000|R|D|12|||RD|NO-SUCH-TUBE|OTH|||T'));
  assert.equal(type(none), 'QCK^Q02^QCK_Q02');
  assert.deepEqual([hl7Value(one(none, 'MSA'), 1), hl7Value(one(none, 'QAK'), 2)], ['AA', 'NF']);
  assert.deepEqual(hl7Segments(none, 'DSP'), []);

  lab.reachable = false;
  try {
    const down = await ask(qry('M-3', 'QRD|20260101120000|R|D|13|||RD|ACC-1001|OTH|||T'));
    assert.deepEqual([type(down), hl7Value(one(down, 'MSA'), 1), hl7Value(one(down, 'QAK'), 2)], ['QCK^Q02^QCK_Q02', 'AE', 'AE']);
  } finally {
    lab.reachable = true;
  }
});

test('a query in the analyzer\'s own delimiters is answered in them', async () => {
  const m = await ask('MSH#*!@%#Mindray#BS-240###20260101##QRY*Q02#D-1#P#2.3.1\rQRD#20260101#R#D#1###RD#ACC-1002#OTH###T\r');
  assert.equal(m.delimiters.field, '#');
  assert.equal(m.delimiters.component, '*');
  assert.equal(type(m), 'DSR^Q03^DSR_Q03');
  const firstTest = hl7Segments(m, 'DSP').find((s) => hl7Value(s, 1) === '29');
  assert.ok(firstTest);
  assert.equal(hl7Value(firstTest, 3), 'WBC');
});

test('server statistics count query answers like ACKs', () => {
  assert.ok(server.stats.AA >= 8 && server.stats.AE >= 5 && server.stats.AR >= 1, JSON.stringify(server.stats));
});
