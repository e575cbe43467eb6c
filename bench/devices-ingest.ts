/**
 * npx tsx bench/devices-ingest.ts — analyzer results parsed and acknowledged per second by the device
 * gateway over loopback, HL7 v2 over MLLP and ASTM E1381/E1394 over TCP, with a no-op lab handler
 * (the store's cost is measured by the lab's own benchmark). The gateway runs in its own process so
 * the load generator does not share its event loop. Figures are printed; nothing passes or fails.
 *
 * AIIMS's smart lab peaks around 80,000-90,000 results a day (~1-2 results/s on average, a few
 * hundred/s in bursts when racks are unloaded); the target is >= 500 results/s sustained.
 *
 * Options (env): BENCH_SECONDS (10), BENCH_ANALYZERS (4 concurrent connections),
 * BENCH_RESULTS_PER_MESSAGE (20), BENCH_MLLP_WINDOW (8 messages in flight per connection).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMllpServer } from '../src/devices/mllp-server.js';
import { createAstmServer } from '../src/devices/astm-server.js';
import { createHl7LabHandler } from '../src/devices/hl7-lab-handler.js';
import { createAstmLabHandler } from '../src/devices/astm-lab-handler.js';
import { MllpClient } from '../src/devices/mllp-client.js';
import { AstmInstrumentClient } from '../src/devices/astm-instrument-client.js';
import { encodeAstmFrames } from '../src/devices/astm-frame-encoder.js';
import type { LabDeviceSink } from '../src/devices/lab-device-types.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ANALYZERS = Number(process.env.BENCH_ANALYZERS ?? 4);
const PER_MESSAGE = Number(process.env.BENCH_RESULTS_PER_MESSAGE ?? 20);
const WINDOW = Number(process.env.BENCH_MLLP_WINDOW ?? 8);

if (process.env.BENCH_ROLE === 'gateway') {
  let results = 0;
  const sink: LabDeviceSink = {
    receiveResults: async (r) => { results += r.observations.length; return { accepted: true }; },
    receiveOrders: async () => ({ accepted: true }),
    answerQuery: async () => [],
  };
  const mllp = createMllpServer({ handler: createHl7LabHandler(sink) });
  const astm = createAstmServer({ handler: createAstmLabHandler(sink) });
  const m = await mllp.listen(0);
  const a = await astm.listen(0);
  process.send?.({ mllpPort: m.port, astmPort: a.port });
  process.on('message', async (msg) => {
    if (msg === 'count') process.send?.({ results });
    if (msg === 'stop') { await mllp.close(); await astm.close(); process.exit(0); }
  });
} else {
  await main();
}

function oru(n: number): string {
  const obx = Array.from({ length: PER_MESSAGE }, (_, i) => `OBX|${i + 1}|NM|T${i}^Test ${i}^L||${(4 + (i % 7) * 0.7).toFixed(1)}|mmol/L|3.5-7.5|N|||F|||20240627135407||OP1||XN-550-01`);
  return ['MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|B' + n + '|P|2.5.1', 'PID|1||UHID' + n, 'ORC|RE|P' + n + '|ACC' + n,
    'OBR|1|P' + n + '|ACC' + n + '|CBC^CBC^L', ...obx, 'SPM|1|ACC' + n].join('\r') + '\r';
}

function astmFrames(n: number): Buffer[] {
  const r = Array.from({ length: PER_MESSAGE }, (_, i) => `R|${i + 1}|^^^T${i}|${(4 + (i % 7) * 0.7).toFixed(1)}|mmol/L|3.5-7.5|N||F||OP1||20240627135407`);
  return encodeAstmFrames(['H|\\^&|||XN-550^00-24^22723^^^^BD634545||||||||E1394-97', 'P|1||UHID' + n, `O|1|ACC${n}||^^^T0|R`, ...r, 'L|1|N']);
}

async function runFor(seconds: number, worker: (stop: () => boolean) => Promise<number>): Promise<{ results: number; seconds: number }> {
  const started = performance.now();
  const stop = () => performance.now() - started > seconds * 1000;
  const counts = await Promise.all(Array.from({ length: ANALYZERS }, () => worker(stop)));
  return { results: counts.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const gateway = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, BENCH_ROLE: 'gateway' }, execArgv: ['--import', 'tsx'] });
  const ports = await new Promise<{ mllpPort: number; astmPort: number }>((resolve) => gateway.once('message', (m) => resolve(m as never)));
  const gatewayCount = () => new Promise<number>((resolve) => { gateway.once('message', (m) => resolve((m as { results: number }).results)); gateway.send('count'); });
  console.log(`device gateway ingest: ${ANALYZERS} analyzers, ${PER_MESSAGE} results/message, ${SECONDS} s per protocol, loopback, no-op lab handler`);

  let seq = 0;
  const before1 = await gatewayCount();
  const hl7 = await runFor(SECONDS, async (stop) => {
    const client = await MllpClient.connect(ports.mllpPort);
    let done = 0;
    const inflight = new Set<Promise<void>>();
    while (!stop()) {
      const p: Promise<void> = client.send(oru(seq++)).then((ack) => { if (ack.code === 'AA') done += PER_MESSAGE; inflight.delete(p); });
      inflight.add(p);
      if (inflight.size >= WINDOW) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await client.close();
    return done;
  });
  const hl7Stored = (await gatewayCount()) - before1;
  report('HL7 v2 / MLLP', hl7, hl7Stored, `window ${WINDOW} messages per connection`);

  const before2 = await gatewayCount();
  const astm = await runFor(SECONDS, async (stop) => {
    const client = await AstmInstrumentClient.connect(ports.astmPort);
    let done = 0;
    while (!stop()) {
      const r = await client.transmit(astmFrames(seq++));
      if (!r.aborted) done += PER_MESSAGE;
    }
    await client.close();
    return done;
  });
  await new Promise((r) => setTimeout(r, 100));
  const astmStored = (await gatewayCount()) - before2;
  report('ASTM / TCP', astm, astmStored, `stop-and-wait: one ACK per frame, ${PER_MESSAGE + 4} frames per message`);

  const single = await (async () => {
    const client = await AstmInstrumentClient.connect(ports.astmPort);
    const started = performance.now();
    let done = 0;
    while (performance.now() - started < 3000) { await client.transmit(astmFrames(seq++)); done += PER_MESSAGE; }
    await client.close();
    return done / ((performance.now() - started) / 1000);
  })();
  console.log(`  ASTM, one analyzer alone: ${Math.round(single)} results/s`);
  gateway.send('stop');
}

function report(name: string, r: { results: number; seconds: number }, stored: number, note: string): void {
  console.log(`  ${name}: ${Math.round(r.results / r.seconds)} results/s acknowledged (${r.results} results in ${r.seconds.toFixed(1)} s; ${stored} reached the handler; ${note})`);
}
