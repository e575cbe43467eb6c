/**
 * Every ASTM transcript in ../shared/data/astm replayed byte for byte over a real TCP socket, as the
 * instrument: ENQ, then each frame exactly as captured (trailing CR/LF variants included), answering
 * NAKs by retransmitting like an analyzer, then EOT. The files hold the instrument's side only (no
 * ENQ/ACK/EOT were captured). Checked per file: the reply to every frame and the parsed results.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createAstmServer } from '../../src/devices/astm-server.js';
import { AstmInstrumentClient, type AstmTransmitResult } from '../../src/devices/astm-instrument-client.js';
import { createAstmLabHandler } from '../../src/devices/astm-lab-handler.js';
import { encodeAstmFrame } from '../../src/devices/astm-frame-encoder.js';
import type { DeviceResultReport, LabDeviceSink } from '../../src/devices/lab-device-types.js';
import { sharedDataFiles } from './support/shared-data.js';
import { isAstmFramed, splitTranscriptFrames } from './support/transcript.js';

interface Expect {
  frames: number;
  /** Index of the first frame the gateway must NAK (6 times, then the instrument gives up). */
  nakAt?: number;
  results?: number;
  specimens?: string[];
  codes?: string[];
  instrument?: RegExp;
}

const EXPECTED: Record<string, Expect> = {
  'abbott_afinion2.txt': { frames: 1, results: 1, specimens: ['5'], codes: ['HbA1c'], instrument: /Afinion 2 Analyzer/ },
  'cobas_c111.txt': { frames: 7, results: 1, specimens: ['T20 10134GA D28'], codes: ['413'], instrument: /SENAITE/ },
  'cobas_c311.txt': { frames: 1, results: 7, specimens: ['CL-PL-24-0370'], codes: ['685/', '687/', '712/', '158/', '735/', '717/', '690/'], instrument: /c311/ },
  'dca_vantage.txt': { frames: 1, results: 3, specimens: ['660'], codes: ['Alb', 'Crt', 'Ratio'], instrument: /DCA VANTAGE/ },
  'genexpert.txt': { frames: 1, results: 84, specimens: ['PR25A137'], codes: ['MTB-RIF/Xpert/MTB', 'MTB-RIF/Xpert/rpoB1', 'MTB-RIF/Xpert/rpoB1/Ct'] },
  // bioMérieux's native VIDAS protocol (RS/GS separated, no ETX, no checksum): not ASTM, refused.
  'mini_vidas.txt': { frames: 1, nakAt: 0 },
  'mini_vidas_mock.txt': { frames: 5, results: 1, specimens: ['Z1G021SCR'], codes: ['HBCT'] },
  'pentra_xlr.txt': { frames: 28, results: 21, specimens: ['S1234'], codes: ['WBC', 'LYM#', 'LYM%'], instrument: /ABX/ },
  // Arkray's native print format in STX…ETX with no frame number or checksum: not ASTM, refused.
  'spotchem_el.txt': { frames: 1, nakAt: 0 },
  'spotchem_el_mock.txt': { frames: 6, results: 3, specimens: ['1DC042FP'], codes: ['Na', 'K', 'Cl'] },
  'sysmex_xn550.txt': { frames: 1, results: 41, specimens: ['27'], codes: ['WBC', 'RBC', 'HGB'], instrument: /XN-550/ },
  'sysmex_xp100.txt': { frames: 1, results: 20, specimens: ['113'], codes: ['WBC', 'RBC', 'HGB'], instrument: /XP-100/ },
  // The three M (histogram/matrix) records all carry frame number 1 (after frame 5): out of sequence.
  'yumizen_h500.txt': { frames: 31, nakAt: 5 },
};

const reports: DeviceResultReport[] = [];
const sink: LabDeviceSink = {
  receiveResults: async (r) => { reports.push(r); return { accepted: true }; },
  receiveOrders: async () => ({ accepted: true }),
  answerQuery: async () => [],
};
const server = createAstmServer({ handler: createAstmLabHandler(sink) });
const { port } = await server.listen(0);
after(() => server.close());

async function replay(frames: Buffer[]): Promise<{ result: AstmTransmitResult; report?: DeviceResultReport }> {
  reports.length = 0;
  const client = await AstmInstrumentClient.connect(port, '127.0.0.1', 5000);
  const result = await client.transmit(frames);
  await new Promise((r) => setTimeout(r, 20)); // EOT is not answered; let the session finish
  await client.close();
  return { result, report: reports[0] };
}

function checkReport(report: DeviceResultReport | undefined, e: Expect) {
  assert.ok(report, 'results reached the lab');
  assert.equal(report.protocol, 'astm');
  assert.ok(report.complete);
  assert.equal(report.observations.length, e.results);
  assert.deepEqual([...new Set(report.observations.map((o) => o.specimen.accessionNumber))], e.specimens);
  assert.deepEqual(report.observations.slice(0, e.codes!.length).map((o) => o.test.code), e.codes);
  if (e.instrument) assert.match(report.instrument, e.instrument);
}

test('every ASTM transcript in shared/data replayed byte for byte over TCP', async (t) => {
  const files = sharedDataFiles('astm', '.txt');
  assert.deepEqual(files.map((f) => f.name).sort(), Object.keys(EXPECTED).sort(), 'every transcript has an expectation');
  let instrumentsPassing = 0;
  let messages = 0;
  let results = 0;
  for (const { name, bytes } of files) {
    const e = EXPECTED[name];
    const frames = splitTranscriptFrames(bytes);
    const { result, report } = await replay(frames);
    const check = () => {
      assert.equal(frames.length, e.frames);
      assert.equal(result.establishment, 'ACK');
      if (e.nakAt === undefined) {
        assert.ok(isAstmFramed(frames));
        assert.deepEqual(result.frameReplies, frames.map(() => ['ACK']), 'every frame ACKed once');
        assert.equal(result.aborted, false);
        checkReport(report, e);
      } else {
        assert.deepEqual(result.frameReplies.slice(0, e.nakAt), Array(e.nakAt).fill(['ACK']));
        assert.deepEqual(result.frameReplies[e.nakAt], Array(6).fill('NAK'), 'NAKed six times, then the instrument gives up');
        assert.equal(result.aborted, true);
        assert.equal(report, undefined, 'no results from a transmission cut short before any R record');
      }
    };
    await t.test(name, check);
    try { check(); if (e.nakAt === undefined) { instrumentsPassing++; messages++; results += report!.observations.length; } } catch { /* reported above */ }
  }
  console.log(`ASTM replay: ${instrumentsPassing}/${files.length} transcripts (instruments) deliver their results; ${messages} messages, ${results} results; ` +
    `${files.length - instrumentsPassing} refused by the link layer as specified (2 non-ASTM native formats, 1 out-of-sequence capture)`);
});

test('yumizen_h500 with its frame numbers repaired: the big M records and 21 results come through', async () => {
  const frames = splitTranscriptFrames(sharedDataFiles('astm', '.txt').find((f) => f.name === 'yumizen_h500.txt')!.bytes);
  const renumbered = frames.map((f, i) => {
    const end = f.findIndex((b) => b === 0x03 || b === 0x17);
    return encodeAstmFrame((i + 1) % 8, f.subarray(2, end), f[end] === 0x03);
  });
  const { result, report } = await replay(renumbered);
  assert.deepEqual(result.frameReplies.flat(), Array(31).fill('ACK'));
  checkReport(report, { frames: 31, results: 21, specimens: ['PX440N'], codes: ['MCV', 'NEU#', 'NEU%'], instrument: /H500/ });
  assert.equal(report!.processingId, 'Q', 'a quality-control run, H-12 = Q');
  const mcv = report!.observations[0];
  assert.deepEqual([mcv.value, mcv.numericValue, mcv.units, mcv.referenceRange, mcv.abnormalFlags.join(), mcv.resultStatus, mcv.operator, mcv.observedAt],
    ['90.6', 90.6, 'um3', '84.0 - 94.0', 'N', 'F', 'MATYL', '20230329110631']);
  assert.deepEqual(mcv.test.components, ['', '', '', 'MCV', '787-2']);
});
