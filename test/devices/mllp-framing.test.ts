import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MllpDecoder, encodeMllp, type MllpEvent } from '../../src/devices/mllp-framing.js';

const messages = (events: MllpEvent[]) => events.filter((e) => e.type === 'message').map((e) => (e.type === 'message' ? e.bytes.toString() : ''));

test('frames split across chunks, byte by byte', () => {
  const d = new MllpDecoder(1000);
  const wire = Buffer.concat([encodeMllp('MSH|one'), encodeMllp('MSH|two')]);
  const events: MllpEvent[] = [];
  for (const b of wire) events.push(...d.push(Buffer.from([b])));
  assert.deepEqual(messages(events), ['MSH|one', 'MSH|two']);
});

test('several frames in one chunk; garbage between frames is discarded and counted', () => {
  const d = new MllpDecoder(1000);
  const events = d.push(Buffer.concat([Buffer.from('noise'), encodeMllp('A'), Buffer.from('\n\nxx'), encodeMllp('B')]));
  assert.deepEqual(messages(events), ['A', 'B']);
  assert.deepEqual(events.filter((e) => e.type === 'discarded').map((e) => e.type === 'discarded' && e.bytes), [5, 4]);
});

test('a missing CR after FS is tolerated; a restart drops the cut-off frame', () => {
  const d = new MllpDecoder(1000);
  const events = d.push(Buffer.from('\x0bA\x1c\x0bB-cut\x0bC\x1c\r'));
  assert.deepEqual(messages(events), ['A', 'C']);
  assert.ok(events.some((e) => e.type === 'discarded' && /restarted/.test(e.reason)));
});

test('an oversize frame is not buffered; its head is kept for the reply', () => {
  const d = new MllpDecoder(100);
  const big = 'MSH|^~\\&|A|B|C|D|1||ORU^R01|BIG-1|P|2.5\r' + 'OBX|'.padEnd(10_000, 'x');
  const events: MllpEvent[] = [];
  const wire = encodeMllp(big);
  for (let i = 0; i < wire.length; i += 999) events.push(...d.push(wire.subarray(i, i + 999)));
  const o = events.find((e) => e.type === 'oversize');
  assert.ok(o && o.type === 'oversize');
  assert.equal(o.size, Buffer.byteLength(big));
  assert.ok(o.head.toString().startsWith('MSH|^~\\&|A|B|C|D|1||ORU^R01|BIG-1'));
  assert.deepEqual(messages(d.push(encodeMllp('next'))), ['next']);
});
