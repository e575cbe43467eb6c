/**
 * Fuzzing with a fixed seed and bounded counts and time: random and mutated HL7 messages and ASTM
 * frames, first straight into the parsers and state machines, then over real sockets. The properties:
 * nothing throws, every framed HL7 message gets exactly one ACK (AA/AE/AR), the ASTM receiver answers
 * only ACK or NAK, and both servers still serve a well-formed message afterwards.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseHl7Message } from '../../src/devices/hl7-parser.js';
import { createHl7LabHandler } from '../../src/devices/hl7-lab-handler.js';
import { createMllpServer } from '../../src/devices/mllp-server.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { AstmSession } from '../../src/devices/astm-session.js';
import { createAstmServer } from '../../src/devices/astm-server.js';
import { createAstmLabHandler } from '../../src/devices/astm-lab-handler.js';
import { AstmInstrumentClient } from '../../src/devices/astm-instrument-client.js';
import { encodeAstmFrames } from '../../src/devices/astm-frame-encoder.js';
import type { LabDeviceSink } from '../../src/devices/lab-device-types.js';
import { mutate, prng, randomBytes } from './support/fuzz.js';

const SEED = 20221123;
const TIME_BUDGET_MS = 20_000;
const ORU = Buffer.from(['MSH|^~\\&|XN|LAB|LIS|H|20240101||ORU^R01^ORU_R01|F-1|P|2.5.1', 'PID|1||U1', 'ORC|RE|P1|A1', 'OBR|1|P1|A1|CBC^CBC^L',
  'OBX|1|NM|HGB^Hb^L||13.1|g/dL|12-16|N|||F', 'OBX|2|SN|PLT^Plt^L||>^900|10*3/uL||H|||F', 'OBX|3|CWE|ABO^ABO^L||A^Group A^L||||||F', 'SPM|1|S1^A1'].join('\r'));
const ASTM_RECORDS = ['H|\\^&|||XN-550^00-24', 'P|1||U1', 'O|1|A1||^^^WBC\\^^^RBC', 'R|1|^^^WBC|8.1|10*3/uL|4-10|N||F', 'R|2|^^^RBC|4.1|10*6/uL||N||F', 'C|1|I|fine|G', 'L|1|N'];
let results = 0;
const sink: LabDeviceSink = {
  receiveResults: async (r) => { results += r.observations.length; return { accepted: true }; },
  receiveOrders: async () => ({ accepted: true }),
  answerQuery: async () => [{ specimenId: 'A1', testCodes: ['WBC'] }],
};

test('parsers and state machines: 5,000 HL7 and 5,000 ASTM inputs, nothing throws', async () => {
  const rand = prng(SEED);
  const handler = createHl7LabHandler(sink);
  const started = Date.now();
  const ackCodes: Record<string, number> = {};
  let hl7 = 0;
  for (; hl7 < 5000 && Date.now() - started < TIME_BUDGET_MS; hl7++) {
    const input = rand() < 0.2 ? randomBytes(rand, 400) : mutate(rand, ORU);
    const parsed = parseHl7Message(input);
    const code = parsed.ok ? await handler(parsed.message) : parsed.ackCode;
    const key = typeof code === 'string' ? code : code.code;
    ackCodes[key] = (ackCodes[key] ?? 0) + 1;
    if (!parsed.ok) assert.ok(parsed.reason.length > 0);
  }
  const frames = encodeAstmFrames(ASTM_RECORDS);
  let astm = 0;
  const replies = new Set<number>();
  for (; astm < 5000 && Date.now() - started < TIME_BUDGET_MS; astm++) {
    const session = new AstmSession((b) => { for (const x of b) replies.add(x); }, { handler: createAstmLabHandler(sink), timers: { receiverFrameMs: 1000, senderReplyMs: 1000 } });
    const stream = Buffer.concat([Buffer.from([0x05]), ...frames.map((f) => (rand() < 0.3 ? mutate(rand, f) : f)), rand() < 0.5 ? Buffer.from([0x04]) : randomBytes(rand, 50)]);
    for (let i = 0; i < stream.length;) { const n = 1 + Math.floor(rand() * 64); await session.push(stream.subarray(i, i + n)); i += n; }
    await session.close();
  }
  assert.ok([...replies].every((b) => b === 0x06 || b === 0x15 || b === 0x05 || b === 0x04 || b === 0x02), 'only ACK/NAK (and host bids) are ever written');
  console.log(`fuzz (in process): ${hl7} HL7 inputs → ACK codes ${JSON.stringify(ackCodes)}; ${astm} ASTM sessions; ${Date.now() - started} ms`);
});

test('MLLP server over sockets: every framed message gets exactly one ACK; garbage never stops the server', async () => {
  const server = createMllpServer({ handler: createHl7LabHandler(sink), maxMessageBytes: 64 * 1024 });
  const { port } = await server.listen(0);
  after(() => server.close());
  const rand = prng(SEED + 1);
  const started = Date.now();
  const codes: Record<string, number> = {};
  let sent = 0;
  for (let conn = 0; conn < 10 && Date.now() - started < TIME_BUDGET_MS; conn++) {
    const client = await MllpClient.connect(port, '127.0.0.1', 5000);
    const batch: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      // VT/FS inside the content would change the framing itself; that is exercised below.
      const body = (rand() < 0.2 ? randomBytes(rand, 300) : mutate(rand, ORU)).filter((b) => b !== 0x0b && b !== 0x1c);
      batch.push(client.send(Buffer.from(body)).then((ack) => {
        assert.ok(['AA', 'AE', 'AR'].includes(ack.code), `ACK code ${ack.code}`);
        codes[ack.code] = (codes[ack.code] ?? 0) + 1;
      }));
      sent++;
    }
    await Promise.all(batch);
    await client.close();
  }
  // Raw garbage with stray start/end blocks on separate connections: no answer required, no crash.
  for (let i = 0; i < 50; i++) {
    const client = await MllpClient.connect(port);
    client.sendRaw(randomBytes(rand, 2000)).catch(() => {});
    await client.close().catch(() => {});
  }
  const probe = await MllpClient.connect(port);
  assert.equal((await probe.send(ORU)).code, 'AA', 'still serving after the fuzz');
  await probe.close();
  assert.equal(Object.values(codes).reduce((a, b) => a + b, 0), sent);
  console.log(`fuzz (MLLP): ${sent} messages over 10 connections → ${JSON.stringify(codes)}, 50 garbage connections; ${Date.now() - started} ms`);
});

test('ASTM server over sockets: mutated frames are ACKed or NAKed, the server keeps serving', async () => {
  const server = createAstmServer({ handler: createAstmLabHandler(sink), timers: { receiverFrameMs: 100 } });
  const { port } = await server.listen(0);
  after(() => server.close());
  const rand = prng(SEED + 2);
  const started = Date.now();
  const frames = encodeAstmFrames(ASTM_RECORDS);
  const tally: Record<string, number> = {};
  let sessions = 0;
  for (; sessions < 100 && Date.now() - started < TIME_BUDGET_MS; sessions++) {
    // A frame that lost its terminator gets no reply by design (LIS1-A: the sender times out), hence 'timeout'.
    const client = await AstmInstrumentClient.connect(port, '127.0.0.1', 250);
    const r = await client.transmit(frames.map((f) => (rand() < 0.3 ? mutate(rand, f) : f)));
    for (const reply of r.frameReplies.flat()) tally[reply] = (tally[reply] ?? 0) + 1;
    assert.ok(r.frameReplies.flat().every((x) => ['ACK', 'NAK', 'timeout', 'ENQ', 'EOT'].includes(x)));
    if (rand() < 0.2) client.write(randomBytes(rand, 500));
    await client.close();
  }
  const before = results;
  const probe = await AstmInstrumentClient.connect(port);
  const ok = await probe.transmit(frames);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ok.frameReplies.flat(), frames.map(() => 'ACK'));
  assert.equal(results - before, 2, 'the probe message was delivered');
  await probe.close();
  console.log(`fuzz (ASTM): ${sessions} sessions → frame replies ${JSON.stringify(tally)}; ${Date.now() - started} ms`);
});
