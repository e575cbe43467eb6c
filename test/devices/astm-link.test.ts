import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, ENQ, EOT, NAK } from '../../src/devices/astm-control.js';
import { encodeAstmFrame, encodeAstmFrames } from '../../src/devices/astm-frame-encoder.js';
import { AstmLinkReceiver } from '../../src/devices/astm-link-receiver.js';
import { AstmLinkSender, type AstmSendResult } from '../../src/devices/astm-link-sender.js';
import { AstmSession } from '../../src/devices/astm-session.js';
import type { AstmMessage } from '../../src/devices/astm-message.js';
import type { AstmHandlerReply } from '../../src/devices/astm-lab-handler.js';

const name = (b: number) => ({ [ACK]: 'ACK', [NAK]: 'NAK', [ENQ]: 'ENQ', [EOT]: 'EOT' } as Record<number, string>)[b] ?? `0x${b.toString(16)}`;
const frame = (fn: number, text: string, final = true) => encodeAstmFrame(fn, Buffer.from(text, 'latin1'), final);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function receiver(accept: (text: string) => boolean = () => true) {
  const replies: string[] = [];
  const texts: string[] = [];
  const ends: string[] = [];
  const rejects: string[] = [];
  const r = new AstmLinkReceiver({
    onFrame: (t) => { const ok = accept(t.toString('latin1')); if (ok) texts.push(t.toString('latin1')); return ok; },
    onEnd: (why) => ends.push(why),
    reply: (b) => replies.push(name(b)),
    onReject: (why) => rejects.push(why),
  }, 1000);
  return { r, replies, texts, ends, rejects };
}

test('receiver: ENQ → ACK, good frames ACKed, EOT ends; noise on an idle line and between frames ignored', async () => {
  const { r, replies, texts, ends } = receiver();
  await r.push(Buffer.concat([Buffer.from('noise\x06\x15'), Buffer.from([ENQ]), frame(1, 'H|\\^&\r'), Buffer.from('\r\n\r\n'), frame(2, 'L|1|N\r'), Buffer.from([EOT])]));
  assert.deepEqual(replies, ['ACK', 'ACK', 'ACK']);
  assert.deepEqual(texts, ['H|\\^&\r', 'L|1|N\r']);
  assert.deepEqual(ends, ['eot']);
  assert.equal(r.receiving, false);
});

test('receiver: bad checksum, wrong frame number, LF inside a frame, missing check characters → NAK; a repeat → ACK, not stored twice', async () => {
  const { r, replies, texts, rejects } = receiver();
  const good1 = frame(1, 'H|\\^&\r');
  const corrupt = Buffer.from(frame(2, 'R|1|^^^X|5\r'));
  corrupt[corrupt.length - 4] = 0x30; // first check character wrong
  await r.push(Buffer.from([ENQ]));
  await r.push(good1);
  await r.push(corrupt);
  await r.push(frame(3, 'R|1|^^^X|5\r'));
  await r.push(Buffer.from('\x022R|1|^^\n^X|5\r\x03AA\r\n', 'latin1'));
  await r.push(Buffer.from('\x022R|1\r\x03\r\n', 'latin1'));
  await r.push(frame(2, 'R|1|^^^X|5\r'));
  await r.push(frame(2, 'R|1|^^^X|5\r'));
  await r.push(frame(9 % 8, 'oops'));
  assert.deepEqual(replies, ['ACK', 'ACK', 'NAK', 'NAK', 'NAK', 'NAK', 'ACK', 'ACK', 'NAK']);
  assert.deepEqual(texts, ['H|\\^&\r', 'R|1|^^^X|5\r']);
  assert.deepEqual(rejects.map((x) => x.split(' ')[0]), ['checksum', 'frame', 'line', 'check', 'frame']);
});

test('receiver: frame numbers cycle 1..7, 0, 1; lower-case check characters accepted; oversize frames refused', async () => {
  const { r, replies } = receiver();
  await r.push(Buffer.from([ENQ]));
  for (let i = 1; i <= 9; i++) {
    const f = Buffer.from(frame(i % 8, `C|${i}\r`));
    f.write(f.subarray(f.length - 4, f.length - 2).toString().toLowerCase(), f.length - 4, 'latin1');
    await r.push(f);
  }
  await r.push(frame(2, 'X'.repeat(2000)));
  assert.deepEqual(replies, ['ACK', ...Array(9).fill('ACK'), 'NAK']);
});

test('receiver: a refused frame (the lab could not store) is NAKed and accepted when sent again', async () => {
  let fail = true;
  const { r, replies, texts } = receiver(() => { if (fail) { fail = false; return false; } return true; });
  await r.push(Buffer.concat([Buffer.from([ENQ]), frame(1, 'L|1|N\r'), frame(1, 'L|1|N\r')]));
  assert.deepEqual(replies, ['ACK', 'NAK', 'ACK']);
  assert.deepEqual(texts, ['L|1|N\r']);
});

test('sender: ENQ, frames, NAK retransmits, 6 NAKs abort, EOT; busy, contention, timeout', () => {
  const run = (replies: number[], frames = 2) => {
    const wrote: string[] = [];
    let result: AstmSendResult | undefined;
    const s = new AstmLinkSender(encodeAstmFrames(Array.from({ length: frames }, (_, i) => `C|${i}`)), {
      write: (b) => wrote.push(b.length === 1 ? name(b[0]) : `F${String.fromCharCode(b[1])}`), armTimer: () => {}, done: (r) => { result = r; },
    });
    s.start();
    for (const b of replies) s.onByte(b);
    return { wrote, s, get result() { return result; } };
  };
  const sent = run([ACK, ACK, NAK, ACK]);
  assert.deepEqual([sent.wrote.join(), sent.result], ['ENQ,F1,F2,F2,EOT', 'sent']);
  const aborted = run([ACK, NAK, NAK, NAK, NAK, NAK, NAK]);
  assert.deepEqual([aborted.wrote.join(), aborted.result], ['ENQ,F1,F1,F1,F1,F1,F1,EOT', 'aborted']);
  assert.deepEqual(run([NAK]).result, 'busy');
  const contention = run([ENQ]);
  assert.deepEqual([contention.wrote.join(), contention.result], ['ENQ', 'contention'], 'the host gives way without EOT');
  const t = run([ACK]);
  t.s.timeout();
  assert.deepEqual([t.wrote.join(), t.result], ['ENQ,F1,EOT', 'timeout']);
});

test('session: contention — the host yields to the analyzer, receives its message, then bids again', async () => {
  const wrote: string[] = [];
  const answers: string[][] = [];
  const handler = async (m: AstmMessage): Promise<AstmHandlerReply> => {
    answers.push(m.records.map((r) => r.type));
    return { accepted: true };
  };
  const session = new AstmSession((b) => wrote.push(b.length === 1 ? name(b[0]) : `F${String.fromCharCode(b[1])}`), {
    handler, timers: { contentionBackoffMs: 30, busyRetryMs: 30, senderReplyMs: 200, receiverFrameMs: 200 },
  });
  session.enqueue(['H|\\^&', 'L|1|N']);
  assert.deepEqual(wrote, ['ENQ']);
  await session.push(Buffer.from([ENQ])); // both bid: the analyzer's ENQ wins, the host stays silent
  assert.deepEqual(wrote, ['ENQ']);
  await sleep(5);
  await session.push(Buffer.from([ENQ])); // the analyzer bids again after its pause
  await session.push(Buffer.concat(encodeAstmFrames(['H|\\^&', 'O|1|A1', 'R|1|^^^K|4.1', 'L|1|N'])));
  await session.push(Buffer.from([EOT]));
  assert.deepEqual(answers, [['H', 'O', 'R', 'L']]);
  assert.deepEqual(wrote.slice(1), ['ACK', 'ACK', 'ACK', 'ACK', 'ACK']);
  await sleep(60); // contention back-off, then the host bids again
  assert.equal(wrote.at(-1), 'ENQ');
  await session.push(Buffer.from([ACK]));
  await session.push(Buffer.from([ACK]));
  await session.push(Buffer.from([ACK]));
  assert.deepEqual(wrote.slice(-4), ['ENQ', 'F1', 'F2', 'EOT']);
  assert.equal(session.stats.sent, 1);
  await session.close();
});

test('session: the receiver timer ends a stalled transmission and hands over what arrived, flagged incomplete', async () => {
  const got: AstmMessage[] = [];
  const session = new AstmSession(() => {}, { handler: async (m) => { got.push(m); return { accepted: true }; }, timers: { receiverFrameMs: 30 } });
  await session.push(Buffer.concat([Buffer.from([ENQ]), ...encodeAstmFrames(['H|\\^&', 'O|1|A1', 'R|1|^^^K|4.1'])]));
  await sleep(80);
  assert.equal(got.length, 1);
  assert.equal(got[0].complete, false);
  assert.equal(got[0].records.length, 3);
  await session.close();
});
