import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createMllpServer } from '../../src/devices/mllp-server.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { MllpDecoder, encodeMllp } from '../../src/devices/mllp-framing.js';
import type { Hl7MessageHandler } from '../../src/devices/hl7-lab-handler.js';

const msg = (id: string, type = 'ORU^R01') => `MSH|^~\\&|ANALYZER||LIS||20240101||${type}|${id}|P|2.5.1\rOBR|1||F|X\rOBX|1|NM|A^A^L||1|||||F\r`;
let behaviour: 'ok' | 'throw' | 'hang' | 'refuse' = 'ok';
const seen: string[] = [];
const handler: Hl7MessageHandler = async (m) => {
  seen.push(m.header.controlId);
  if (behaviour === 'throw') throw new Error('database down');
  if (behaviour === 'hang') return new Promise(() => {});
  if (behaviour === 'refuse') return { code: 'AR', reason: 'no thanks', errorCode: '200' };
  return 'AA';
};
const server = createMllpServer({ handler, maxMessageBytes: 2000, idleTimeoutMs: 300, handlerTimeoutMs: 200 });
const { port } = await server.listen(0);
after(() => server.close());

test('several messages on one connection, each ACKed in order with its control id', async () => {
  behaviour = 'ok';
  const c = await MllpClient.connect(port);
  const acks = await Promise.all(['m1', 'm2', 'm3'].map((id) => c.send(msg(id))));
  assert.deepEqual(acks.map((a) => [a.code, a.controlId]), [['AA', 'm1'], ['AA', 'm2'], ['AA', 'm3']]);
  await c.close();
});

test('a message written one byte at a time, with garbage before it', async () => {
  behaviour = 'ok';
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const decoder = new MllpDecoder(65536);
  const ack = new Promise<string>((resolve) => socket.on('data', (d) => {
    for (const e of decoder.push(d)) if (e.type === 'message') resolve(e.bytes.toString());
  }));
  const wire = Buffer.concat([Buffer.from('GET / HTTP/1.0\r\n\r\n'), encodeMllp(msg('slow'))]);
  for (const b of wire) { socket.write(Buffer.from([b])); await new Promise((r) => setImmediate(r)); }
  assert.match(await ack, /\rMSA\|AA\|slow\r/);
  socket.destroy();
});

test('unreadable, oversize and refused messages get AR with a reason; handler failures get AE', async () => {
  const c = await MllpClient.connect(port);
  behaviour = 'ok';
  const garbage = await c.send('this is not HL7');
  assert.equal(garbage.code, 'AR');
  assert.match(garbage.reason, /MSH/);
  const big = await c.send(msg('huge') + 'NTE|1||'.padEnd(5000, 'z'));
  assert.deepEqual([big.code, big.controlId], ['AR', 'huge']);
  assert.match(big.reason, /exceeds the limit/);
  behaviour = 'refuse';
  assert.equal((await c.send(msg('r1'))).code, 'AR');
  behaviour = 'throw';
  const thrown = await c.send(msg('t1'));
  assert.deepEqual([thrown.code, thrown.controlId], ['AE', 't1']);
  behaviour = 'hang';
  const slow = await c.send(msg('h1'));
  assert.equal(slow.code, 'AE');
  assert.match(slow.reason, /not stored within 200 ms/);
  behaviour = 'ok';
  assert.equal((await c.send(msg('after'))).code, 'AA', 'the connection still works');
  await c.close();
});

test('an idle connection is closed by the server', async () => {
  const socket = net.connect(port, '127.0.0.1');
  const closed = await new Promise<boolean>((resolve) => {
    socket.on('close', () => resolve(true));
    socket.on('error', () => {});
    setTimeout(() => resolve(false), 3000);
  });
  assert.ok(closed);
});
