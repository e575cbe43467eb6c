import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyBytes } from '../../src/vault/copy-bytes.js';
import { CopySpool } from '../../src/vault/copy-spool.js';
import { copyLine } from '../../src/vault/copy-text.js';
import { freshClient } from './restore-fixtures.js';

/**
 * The restore's spool: COPY lines gathered as bytes by a worker (CopyBytes), written to a temporary
 * file and drained into PostgreSQL piece by piece while more are written, as the projection load does.
 */
test('a spool drained many times loads every line exactly once, in order, and warns of nothing', async (t) => {
  const client = await freshClient(t);
  await client.query('CREATE TABLE spooled (n int, t text)');
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));

  const spool = await CopySpool.create();
  const texts: string[] = [];
  for (let piece = 0; piece < 15; piece++) {
    // Small initial buffers, so that CopyBytes has to grow; multi-byte text, so bytes and characters
    // differ; over 1 MiB a piece, so that each write reaches the file and each drain has lines to load.
    const bytes = new CopyBytes(16);
    for (let i = 0; i < 2_000; i++) {
      const text = `रोगी ${piece}-${i}\t${'x'.repeat(520 + (i % 50))}`;
      texts.push(text);
      bytes.add(copyLine({ n: texts.length, t: text }, ['n', 't']));
    }
    const taken = bytes.take();
    assert.equal(bytes.length, 0, 'a taken CopyBytes is empty');
    await spool.write(taken);
    // Drains from the 2nd piece on: lines written while earlier ones are already in the table.
    if (piece > 0) await spool.drainInto(client, 'spooled', ['n', 't']);
  }
  await spool.copyInto(client, 'spooled', ['n', 't']);

  const back = (await client.query<{ n: number; t: string }>('SELECT n, t FROM spooled ORDER BY n')).rows;
  assert.equal(back.length, texts.length);
  assert.deepEqual(back.map((r) => r.t), texts);
  assert.deepEqual(back.map((r) => r.n), texts.map((_, i) => i + 1));
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  assert.deepEqual(warnings.map((w) => w.message), []);
});
