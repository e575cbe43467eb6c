/**
 * The desk's UHID blocks over the in-memory store (the second implementation of the store the
 * browser keeps in IndexedDB): numbering from a block, never a serial twice, topping up below the
 * low-water mark, carrying on when the server cannot be reached.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUhid, uhidOf, FIRST_SERIAL } from '../../src/departments/registration/uhid.js';
import {
  deskKey, MemoryUhidBlockStore, newDeskId, remainingIn, UhidBlocks, type IssuedBlock,
} from '../../web/src/desks/registration/uhid-block.js';

/** A scripted server: hands out consecutive blocks, or fails while `down`. */
function server() {
  let next = FIRST_SERIAL;
  const state = { down: false, asked: [] as Array<{ desk: string; size: number }> };
  const requestBlock = async (desk: string, size: number): Promise<IssuedBlock> => {
    state.asked.push({ desk, size });
    if (state.down) throw new Error('the server could not be reached');
    const first = next;
    next += size;
    return { blockId: `uhid-block-${first}`, desk, first: uhidOf(first), last: uhidOf(first + size - 1), firstSerial: first, lastSerial: first + size - 1 };
  };
  return { state, requestBlock };
}

test('with no block and the server down, there is no UHID to take and nothing breaks', async () => {
  const s = server();
  s.state.down = true;
  const blocks = new UhidBlocks(new MemoryUhidBlockStore(), { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock });
  assert.equal(await blocks.take(), undefined);
  assert.equal(await blocks.refill(), false);
  assert.equal(await blocks.remaining(), 0);
});

test('a block numbers registrations in order, each UHID valid, and the counter is on the store', async () => {
  const s = server();
  const store = new MemoryUhidBlockStore();
  const blocks = new UhidBlocks(store, { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock, size: 50 });
  assert.equal(await blocks.refill(), true);
  assert.deepEqual(s.state.asked, [{ desk: 'desk-a', size: 50 }]);
  assert.equal(await blocks.remaining(), 50);
  const a = await blocks.take();
  const b = await blocks.take();
  assert.equal(a?.serial, FIRST_SERIAL);
  assert.equal(b?.serial, FIRST_SERIAL + 1);
  assert.equal(a?.uhid, uhidOf(FIRST_SERIAL));
  assert.deepEqual(parseUhid(b!.uhid), { serial: FIRST_SERIAL + 1 });
  // A second UhidBlocks over the same store (a reloaded page) carries on after the last serial taken.
  const reloaded = new UhidBlocks(store, { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock });
  assert.equal((await reloaded.take())?.serial, FIRST_SERIAL + 2);
  assert.equal(remainingIn(await store.get(deskKey('h1', 'desk-a'))), 47);
});

test('concurrent takes never get the same serial, and a block runs out without reuse', async () => {
  const s = server();
  const blocks = new UhidBlocks(new MemoryUhidBlockStore(), { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock, size: 10 });
  await blocks.refill();
  s.state.down = true;
  const taken = await Promise.all(Array.from({ length: 15 }, () => blocks.take()));
  const serials = taken.filter((t) => t !== undefined).map((t) => t!.serial);
  assert.equal(serials.length, 10, 'ten numbers in the block, ten handed out');
  assert.equal(new Set(serials).size, 10, 'no serial twice');
  assert.equal(taken.filter((t) => t === undefined).length, 5);
  assert.equal(await blocks.remaining(), 0);
});

test('below the low-water mark a new block is asked for; the old numbers are used first', async () => {
  const s = server();
  const blocks = new UhidBlocks(new MemoryUhidBlockStore(), { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock, size: 25, low: 20 });
  await blocks.refill();
  assert.equal(await blocks.refill(), false, '25 in hand: nothing to ask for');
  for (let i = 0; i < 6; i++) await blocks.take();
  assert.equal(await blocks.remaining(), 19);
  assert.equal(await blocks.refill(), true);
  assert.equal(s.state.asked.length, 2);
  assert.equal(await blocks.remaining(), 44);
  const serials: number[] = [];
  for (let i = 0; i < 20; i++) serials.push((await blocks.take())!.serial);
  assert.deepEqual(serials, Array.from({ length: 20 }, (_, i) => FIRST_SERIAL + 6 + i), 'the rest of the first block, then the second');
});

test('concurrent refills make one request; an answer for a block already held adds nothing', async () => {
  const s = server();
  const blocks = new UhidBlocks(new MemoryUhidBlockStore(), { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock, size: 30 });
  const results = await Promise.all([blocks.refill(), blocks.refill(), blocks.refill()]);
  assert.deepEqual(results, [true, true, true]);
  assert.equal(s.state.asked.length, 1);
  assert.equal(await blocks.remaining(), 30);
  // The server answering a retried request with the same block again.
  const again = new UhidBlocks(new MemoryUhidBlockStore(), {
    hospitalId: 'h1', desk: 'desk-a', size: 30, low: 100,
    requestBlock: async (desk) => ({ blockId: `uhid-block-${FIRST_SERIAL}`, desk, first: uhidOf(FIRST_SERIAL), last: uhidOf(FIRST_SERIAL + 29), firstSerial: FIRST_SERIAL, lastSerial: FIRST_SERIAL + 29 }),
  });
  assert.equal(await again.refill(), true);
  assert.equal(await again.refill(), false);
  assert.equal(await again.remaining(), 30);
});

test('blocks are kept per hospital and desk', async () => {
  const s = server();
  const store = new MemoryUhidBlockStore();
  const a = new UhidBlocks(store, { hospitalId: 'h1', desk: 'desk-a', requestBlock: s.requestBlock, size: 5 });
  const otherDesk = new UhidBlocks(store, { hospitalId: 'h1', desk: 'desk-b', requestBlock: s.requestBlock, size: 5 });
  const otherHospital = new UhidBlocks(store, { hospitalId: 'h2', desk: 'desk-a', requestBlock: s.requestBlock, size: 5 });
  await a.refill();
  assert.equal(await otherDesk.remaining(), 0);
  assert.equal(await otherHospital.remaining(), 0);
  assert.equal(await otherDesk.take(), undefined);
  assert.equal((await a.take())?.serial, FIRST_SERIAL);
});

test('a refused or malformed answer leaves the desk as it was', async () => {
  const store = new MemoryUhidBlockStore();
  const bad = new UhidBlocks(store, {
    hospitalId: 'h1', desk: 'desk-a',
    requestBlock: async (desk) => ({ blockId: 'x', desk, first: '', last: '', firstSerial: 20, lastSerial: 10 }),
  });
  assert.equal(await bad.refill(), false);
  assert.equal(await bad.remaining(), 0);
});

test('a desk id is one the server accepts as a desk name', () => {
  const id = newDeskId('0A1b2C3d4E5f6789');
  assert.equal(id, 'desk-0a1b2c3d4e5f');
  assert.match(id, /^[A-Za-z0-9._:-]{1,64}$/);
});
