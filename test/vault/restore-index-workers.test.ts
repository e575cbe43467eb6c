/**
 * The restore's worker threads answer questions (verify a run of segments, canonicalise resources)
 * by id: several questions on their way to one worker each get their own answer, and a question
 * that fails rejects alone, leaving the worker to answer the next ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalResources } from '../../src/store/state-hash.js';
import { IndexWorkers } from '../../src/vault/restore-index-workers.js';

test('questions to one worker are answered each by its own answer, a failing one alone', { timeout: 60_000 }, async (t) => {
  const workers = new IndexWorkers(1);
  t.after(() => workers.close());
  await workers.whenReady();
  const chunks = [0, 1, 2, 3].map((k) => Array.from({ length: 50 + k * 7 }, (_, i) => (i % 9 === 0 ? null : JSON.stringify({ z: k, a: [i, `é${k}`], resourceType: 'Patient' }))));
  const bad = ['{"resourceType": "Patient", "id": '];
  const [first, broken, ...rest] = await Promise.allSettled([
    workers.canonicalize(chunks[0]), workers.canonicalize(bad), workers.canonicalize(chunks[1]), workers.canonicalize(chunks[2]), workers.canonicalize(chunks[3]),
  ]);
  assert.deepEqual(first, { status: 'fulfilled', value: canonicalResources(chunks[0]) });
  assert.equal(broken.status, 'rejected');
  assert.match(String((broken as PromiseRejectedResult).reason), /JSON/);
  assert.deepEqual(rest, chunks.slice(1).map((c) => ({ status: 'fulfilled', value: canonicalResources(c) })));
});
