import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAstmServer } from '../../src/devices/astm-server.js';
import { AstmInstrumentClient } from '../../src/devices/astm-instrument-client.js';
import { createAstmLabHandler } from '../../src/devices/astm-lab-handler.js';
import { encodeAstmFrames } from '../../src/devices/astm-frame-encoder.js';
import type { DeviceHostQuery, DeviceResultReport, LabDeviceSink } from '../../src/devices/lab-device-types.js';

const queries: DeviceHostQuery[] = [];
const results: DeviceResultReport[] = [];
let storeFails = 0;
const sink: LabDeviceSink = {
  receiveResults: async (r) => {
    if (storeFails > 0) { storeFails--; return { accepted: false, reason: 'store unavailable' }; }
    results.push(r);
    return { accepted: true };
  },
  receiveOrders: async () => ({ accepted: true }),
  answerQuery: async (q) => { queries.push(q); return [{ specimenId: 'ACC-1', testCodes: ['685', '687'], priority: 'S', patientId: 'UHID-1' }]; },
};
const server = createAstmServer({ handler: createAstmLabHandler(sink, { hostName: 'NIRANTAR' }), timers: { contentionBackoffMs: 50, busyRetryMs: 50 } });
const { port } = await server.listen(0);
after(() => server.close());

test('a host query is answered with orders the host sends as its own transmission', async () => {
  const c = await AstmInstrumentClient.connect(port);
  const r = await c.transmit(encodeAstmFrames(['H|\\^&|||c311^1|||||host|TSREQ^REAL|P|1', 'Q|1|^ACC-1\\^ACC-2||ALL||||||||O', 'L|1|N']));
  assert.equal(r.aborted, false);
  const records = await c.nextHostMessage();
  assert.deepEqual(queries.at(-1)?.specimenIds, ['ACC-1', 'ACC-2']);
  assert.match(records[0], /^H\|\\\^&\|\|\|NIRANTAR\|/);
  assert.deepEqual(records.slice(1), ['P|1|UHID-1', 'O|1|ACC-1||^^^685\\^^^687|S||||||N||||||||||||||Q', 'P|2|', 'O|1|ACC-2|||||||||||||||||||||||Y', 'L|1|N']);
  await c.close();
});

test('results in a multi-frame record; a failed store NAKs the last frame until the lab accepts it', async () => {
  storeFails = 2;
  results.length = 0;
  const c = await AstmInstrumentClient.connect(port);
  const long = 'R|1|^^^GLU|5.4|mmol/L|3.9-6.1|N||F||' + 'X'.repeat(400) + '||20240101';
  const frames = encodeAstmFrames(['H|\\^&|||cobas^1', 'P|1', 'O|1|ACC-7', long, 'L|1|N']);
  const r = await c.transmit(frames);
  assert.equal(frames.length, 6, 'the R record spans an ETB frame and an ETX frame');
  assert.deepEqual(r.frameReplies.map((x) => x.join('/')), ['ACK', 'ACK', 'ACK', 'ACK', 'ACK', 'NAK/NAK/ACK']);
  assert.equal(results.length, 1, 'stored once, not three times');
  assert.equal(results[0].observations[0].specimen.accessionNumber, 'ACC-7');
  assert.equal(results[0].observations[0].numericValue, 5.4);
  await c.close();
});
