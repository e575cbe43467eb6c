/**
 * The outbox logic over the in-memory store (the second implementation of the store the browser
 * keeps in IndexedDB): order, idempotency keys, what each kind of answer does, backoff, recovery.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Outbox } from '../../web/src/outbox/outbox.js';
import { OutboxSender, type TransportResult } from '../../web/src/outbox/outbox-sender.js';
import { MemoryOutboxStore } from '../../web/src/outbox/memory-outbox-store.js';
import type { OutboxItem } from '../../web/src/outbox/outbox-item.js';
import { retryDelay } from '../../web/src/outbox/backoff.js';

const refusal = (text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: text }] });
const post = (n: number) => ({ method: 'POST' as const, path: '/api/registration/patients', body: { n } });

/** A clock, a timer queue and a scripted server, so every test runs in no time and in order. */
function harness(answers: Array<TransportResult | ((item: OutboxItem) => TransportResult)> = []) {
  let clock = 1_000_000;
  let online = true;
  const timers: Array<{ at: number; run: () => void }> = [];
  const sent: OutboxItem[] = [];
  const outbox = new Outbox(new MemoryOutboxStore(), { newId: randomUUID, now: () => clock });
  const sender = new OutboxSender(outbox, {
    now: () => clock,
    isOnline: () => online,
    offlinePollMs: 5000,
    schedule: (run, ms) => {
      const timer = { at: clock + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer) >>> 0, 1);
    },
    transport: async (item) => {
      sent.push(item);
      const next = answers.shift() ?? { kind: 'answer', status: 201, body: { resourceType: 'Patient', id: item.id } };
      return typeof next === 'function' ? next(item) : next;
    },
  });
  return {
    outbox, sender, sent, timers,
    setOnline(value: boolean) { online = value; },
    /** Moves the clock to the next timer and runs it (and what it starts). */
    async tick() {
      timers.sort((a, b) => a.at - b.at);
      const timer = timers.shift();
      assert.ok(timer, 'a timer is waiting');
      clock = timer.at;
      timer.run();
      await sender.drain();
    },
    get now() { return clock; },
  };
}

test('every write is queued with a client id, its own idempotency key, in order, and sent in that order', async () => {
  const h = harness();
  const a = await h.outbox.enqueue(post(1), 'first');
  const b = await h.outbox.enqueue(post(2), 'second');
  assert.notEqual(a.id, b.id);
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.equal(a.requestId, a.id);
  assert.equal(a.status, 'pending');
  assert.ok(b.seq > a.seq);
  await h.sender.drain();
  assert.deepEqual(h.sent.map((i) => i.label), ['first', 'second']);
  assert.deepEqual(h.sent.map((i) => i.requestId), [a.requestId, b.requestId]);
  const items = await h.outbox.items();
  assert.deepEqual(items.map((i) => i.status), ['done', 'done']);
  assert.equal(items[0].attempts, 1);
  assert.deepEqual(items[0].response, { status: 201, body: { resourceType: 'Patient', id: a.id } });
  assert.equal(h.sender.current, 'idle');
});

test('listeners hear every change: the pending count goes up on queueing and down on delivery', async () => {
  const h = harness();
  const counts: number[] = [];
  h.outbox.subscribe((items) => counts.push(items.filter((i) => i.status !== 'done').length));
  await h.outbox.enqueue(post(1), 'one');
  await h.sender.drain();
  assert.equal(counts.at(-1), 0);
  assert.ok(counts.includes(1));
});

test('a 4xx refusal stops the queue at that item with the server\'s text; resend with a fix goes on', async () => {
  const h = harness([{ kind: 'answer', status: 422, body: refusal('birthDate: the date of birth is in the future') }]);
  const bad = await h.outbox.enqueue(post(1), 'bad');
  const later = await h.outbox.enqueue(post(2), 'later');
  await h.sender.drain();
  assert.equal(h.sent.length, 1, 'nothing after a refused item is sent');
  const failed = await h.outbox.get(bad.id);
  assert.equal(failed?.status, 'failed');
  assert.equal(failed?.error, 'birthDate: the date of birth is in the future');
  assert.equal(h.sender.current, 'blocked');
  assert.equal(h.timers.length, 0, 'a refusal is not retried by itself');

  const fixed = await h.outbox.resend(bad.id, { request: post(3) });
  assert.notEqual(fixed?.requestId, bad.requestId, 'a corrected request is a new request');
  assert.equal(fixed?.id, bad.id);
  await h.sender.kick();
  assert.deepEqual(h.sent.map((i) => i.label), ['bad', 'bad', 'later']);
  assert.deepEqual(h.sent[1].request.body, { n: 3 });
  assert.equal((await h.outbox.get(later.id))?.status, 'done');
});

test('resending unchanged keeps the idempotency key; discarding unblocks the queue', async () => {
  const h = harness([
    { kind: 'answer', status: 409, body: refusal('conflict') },
    { kind: 'answer', status: 400, body: refusal('still wrong') },
  ]);
  const a = await h.outbox.enqueue(post(1), 'a');
  const b = await h.outbox.enqueue(post(2), 'b');
  await h.sender.drain();
  const again = await h.outbox.resend(a.id);
  assert.equal(again?.requestId, a.requestId);
  assert.equal(again?.attempts, 0);
  await h.sender.kick();
  assert.equal((await h.outbox.get(a.id))?.error, 'still wrong');
  assert.equal(await h.outbox.discard(a.id), true);
  await h.sender.kick();
  assert.equal(await h.outbox.get(a.id), undefined);
  assert.equal((await h.outbox.get(b.id))?.status, 'done');
});

test('5xx and network failures are retried with doubling backoff and the same idempotency key', async () => {
  const h = harness([
    { kind: 'unreachable', message: 'Failed to fetch' },
    { kind: 'answer', status: 503, body: refusal('the vault did not confirm in time') },
    { kind: 'answer', status: 500, body: 'Internal Server Error' },
  ]);
  const a = await h.outbox.enqueue(post(1), 'a');
  await h.sender.drain();
  let item = await h.outbox.get(a.id);
  assert.equal(item?.status, 'pending');
  assert.match(item?.error ?? '', /could not be reached \(Failed to fetch\)/);
  assert.equal(item?.nextAttemptAt, h.now + 1000);
  assert.equal(h.sender.current, 'waiting');
  await h.tick();
  item = await h.outbox.get(a.id);
  assert.match(item?.error ?? '', /the vault did not confirm in time; will try again/);
  assert.equal(item?.nextAttemptAt, h.now + 2000);
  await h.tick();
  await h.tick();
  item = await h.outbox.get(a.id);
  assert.equal(item?.status, 'done');
  assert.equal(item?.attempts, 4);
  assert.deepEqual(new Set(h.sent.map((i) => i.requestId)), new Set([a.requestId]));
  assert.deepEqual([1, 2, 3, 6, 10].map((n) => retryDelay(n)), [1000, 2000, 4000, 30_000, 30_000]);
});

test('offline: nothing is tried until the browser is online again; then at once', async () => {
  const h = harness();
  h.setOnline(false);
  const a = await h.outbox.enqueue(post(1), 'a');
  await h.sender.drain();
  assert.equal(h.sent.length, 0);
  assert.equal(h.sender.current, 'offline');
  await h.tick(); // the offline poll: still offline
  assert.equal(h.sent.length, 0);
  h.setOnline(true);
  await h.sender.retryNow();
  assert.equal((await h.outbox.get(a.id))?.status, 'done');
});

test('back online, retryNow skips the backoff wait', async () => {
  const h = harness([{ kind: 'unreachable', message: 'net::ERR_INTERNET_DISCONNECTED' }]);
  const a = await h.outbox.enqueue(post(1), 'a');
  await h.sender.drain();
  assert.equal(h.sender.current, 'waiting');
  await h.sender.retryNow();
  assert.equal((await h.outbox.get(a.id))?.status, 'done');
});

test('a 401 keeps the item pending and waits for a new sign-in', async () => {
  const h = harness([{ kind: 'answer', status: 401, body: refusal('the session has ended or is not valid: sign in again') }]);
  const a = await h.outbox.enqueue(post(1), 'a');
  await h.sender.drain();
  assert.equal(h.sender.current, 'signed-out');
  assert.equal((await h.outbox.get(a.id))?.status, 'pending');
  await h.sender.kick();
  assert.equal(h.sent.length, 1, 'not sent again before signing in');
  await h.sender.resume();
  assert.equal((await h.outbox.get(a.id))?.status, 'done');
  assert.equal(h.sent[1].requestId, a.requestId);
});

test('an item left "sending" by a closed page is sent again with its key after recover()', async () => {
  const h = harness();
  const a = await h.outbox.enqueue(post(1), 'a');
  await h.outbox.markSending(a.id);
  assert.equal(await h.outbox.discard(a.id), false, 'an item on its way cannot be discarded');
  await h.outbox.recover();
  await h.sender.drain();
  assert.equal(h.sent[0].requestId, a.requestId);
  assert.equal((await h.outbox.get(a.id))?.status, 'done');
});

test('kicks while a send is on its way run one more pass, never two sends at once', async () => {
  let inFlight = 0;
  let most = 0;
  const slow = (item: OutboxItem): TransportResult => ({ kind: 'answer', status: 201, body: { id: item.id } });
  const h = harness();
  const outbox = h.outbox;
  const sender = new OutboxSender(outbox, {
    transport: async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return slow(item);
    },
  });
  await outbox.enqueue(post(1), 'a');
  const first = sender.kick();
  await outbox.enqueue(post(2), 'b');
  await Promise.all([first, sender.kick(), sender.kick()]);
  await first;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(most, 1);
  assert.deepEqual((await outbox.items()).map((i) => i.status), ['done', 'done']);
});

test('accepted items older than a day are forgotten; unsent ones never', async () => {
  const h = harness();
  await h.outbox.enqueue(post(1), 'a');
  await h.sender.drain();
  h.setOnline(false);
  await h.outbox.enqueue(post(2), 'b');
  await h.outbox.removeDone(h.now + 1);
  assert.deepEqual((await h.outbox.items()).map((i) => i.label), ['b']);
});
