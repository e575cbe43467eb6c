import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startTestServer, type TestServer } from '../../support/server.js';
import { isSupportedResourceType } from '../../../src/fhir/resource-types.js';
import { loadDefinitions } from '../../../src/fhir/definitions.js';
import { DEFECTIVE } from '../../support/defective-examples.js';

/**
 * Every official FHIR R4 example of a supported type (npm package hl7.fhir.r4.examples) is created
 * through the API and read back equal apart from meta.
 */
const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

function examples(): Array<{ file: string; resource: any }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .map((file) => ({ file, resource: JSON.parse(readFileSync(join(dir, file), 'utf8')) }))
    .filter(({ resource }) => typeof resource?.resourceType === 'string' && isSupportedResourceType(resource.resourceType));
}

/** An example with a known defect must be refused with a 400 that names it, not stored. */
function refusedAsDefective(file: string, status: number): boolean {
  return file in DEFECTIVE && status === 400;
}

function withoutMeta(resource: any, id?: string) {
  const { meta, ...rest } = resource;
  const kept = { ...(meta ?? {}) };
  delete kept.versionId;
  delete kept.lastUpdated;
  return { ...rest, ...(id ? { id } : {}), ...(Object.keys(kept).length ? { meta: kept } : {}) };
}

describe('official FHIR R4 examples through the API', () => {
  let t: TestServer;
  before(async () => {
    loadDefinitions();
    // Bundle-resources.json (every R4 StructureDefinition) is larger than the 16 MiB default limit.
    t = await startTestServer({ bodyLimit: 64 * 1024 * 1024 });
  });
  after(async () => t?.close());

  test('each example is created and read back equal apart from meta', async () => {
    const all = examples();
    const failures: string[] = [];
    let passed = 0;
    let refused = 0;
    let serverOnly = 0;
    let next = 0;
    async function worker() {
      while (next < all.length) {
        const { file, resource } = all[next++];
        const type = resource.resourceType;
        const write = resource.id ? await t.request('PUT', `/${type}/${resource.id}`, resource) : await t.request('POST', `/${type}`, resource);
        if (refusedAsDefective(file, write.status)) {
          refused++;
          continue;
        }
        // AuditEvents are written by the server from what happened, never accepted from a client.
        if (type === 'AuditEvent' && write.status === 405) {
          serverOnly++;
          continue;
        }
        if (write.status !== 200 && write.status !== 201) {
          failures.push(`${file}: ${write.status} ${JSON.stringify(write.body?.issue?.slice(0, 2) ?? write.body).slice(0, 300)}`);
          continue;
        }
        const read = await t.request('GET', `/${type}/${write.body.id}`);
        try {
          assert.deepEqual(withoutMeta(read.body), withoutMeta(resource, write.body.id));
          passed++;
        } catch {
          failures.push(`${file}: read back differs`);
        }
      }
    }
    await Promise.all(Array.from({ length: 6 }, worker));
    console.log(`official examples created and read back equal: ${passed} / ${all.length} (${refused} known-defective examples refused with 400, ` +
      `${serverOnly} AuditEvent examples refused with 405: the server writes those itself)`);
    if (failures.length) console.log(failures.slice(0, 40).join('\n'));
    assert.ok(all.length > 4000, `found only ${all.length} examples`);
    assert.deepEqual(failures, []);
    assert.equal(refused, Object.keys(DEFECTIVE).length);
    assert.equal(serverOnly, all.filter((e) => e.resource.resourceType === 'AuditEvent').length);
  });
});
