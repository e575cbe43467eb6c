/**
 * The role matrix: every role × every resource type × every interaction of the permission table,
 * asked over real HTTP with a token of that role. Allowed cells must not be refused (they answer
 * 200, 201, 204, 400 or 404 as the request deserves); denied cells must be 403 with a 'forbidden'
 * OperationOutcome naming the role. The expectations come from the table itself (`may`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { supportedResourceTypes } from '../../../src/fhir/resource-types.js';
import { issueApiToken } from '../../../src/security/api-tokens.js';
import { INTERACTIONS, ROLES, may, type Interaction } from '../../../src/security/permissions/permissions.js';
import type { Role } from '../../../src/security/principal.js';
import { TEST_TOKEN, startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
const tokens = new Map<Role, string>();

before(async () => {
  server = await startTestServer();
  for (const role of ROLES) {
    if (role === 'bootstrap') { tokens.set(role, TEST_TOKEN); continue; }
    tokens.set(role, await issueApiToken(server.server.store.app, server.server.hospitalId, {
      name: `matrix-${role}`, role, ward: 'matrix-ward', department: 'matrix-department',
    }));
  }
});
after(async () => server?.close());

/**
 * One request per interaction; a body the validator refuses, so an allowed write answers 400 and
 * writes nothing. The body has no id: a Patient body with one would be about that patient, and the
 * ward/department scope (tested on its own) would answer before the validator.
 */
function requestFor(type: string, interaction: Interaction): { method: string; path: string; body?: unknown } {
  const invalid = { resourceType: type, notAnElementOfAnyResource: true };
  switch (interaction) {
    case 'read': return { method: 'GET', path: `/${type}/matrix-missing` };
    case 'search': return { method: 'GET', path: `/${type}?_count=1` };
    case 'history': return { method: 'GET', path: `/${type}/_history?_count=1` };
    case 'create': return { method: 'POST', path: `/${type}`, body: invalid };
    case 'update': return { method: 'PUT', path: `/${type}/matrix-cell`, body: invalid };
    case 'delete': return { method: 'DELETE', path: `/${type}/matrix-missing` };
  }
}

test('every cell of the permission table holds over HTTP', { timeout: 600_000 }, async () => {
  const types = [...supportedResourceTypes()].sort();
  const cells: Array<{ role: Role; type: string; interaction: Interaction }> = [];
  for (const role of ROLES) for (const type of types) for (const interaction of INTERACTIONS) cells.push({ role, type, interaction });
  const failures: string[] = [];
  let allowed = 0;
  let denied = 0;
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const { role, type, interaction } = cells[next++];
      const { method, path, body } = requestFor(type, interaction);
      const answer = await server.request(method, path, body, { authorization: `Bearer ${tokens.get(role)}` });
      const expected = may(role, type, interaction);
      if (expected) {
        allowed++;
        if (![200, 201, 204, 400, 404, 405, 410].includes(answer.status)) failures.push(`${role} ${interaction} ${type}: expected allowed, got ${answer.status}`);
      } else {
        denied++;
        const issue = answer.body?.issue?.[0];
        if (answer.status !== 403 || issue?.code !== 'forbidden' || !String(issue?.diagnostics).includes(role)) {
          failures.push(`${role} ${interaction} ${type}: expected 403 forbidden, got ${answer.status} ${JSON.stringify(issue)}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  console.log(`role matrix: ${cells.length} cells checked over HTTP (${ROLES.length} roles × ${types.length} resource types × ${INTERACTIONS.length} interactions): ${allowed} allowed, ${denied} denied`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(allowed > 1000 && denied > 1000, 'the table allows and denies a substantial share');
  // Nothing an allowed write sent was valid, so nothing was written by the matrix (the access watch
  // may have written a bulk-read warning, a Communication: the matrix reads a lot in a minute).
  const [{ n }] = await server.server.store.admin.query<{ n: string }>("SELECT count(*) AS n FROM resource_current WHERE resource_type <> 'Communication'");
  assert.equal(Number(n), 0);
});

test('the CapabilityStatement shows each role what it may do', async () => {
  for (const role of ROLES) {
    const answer = await server.request('GET', '/metadata', undefined, { authorization: `Bearer ${tokens.get(role)}` });
    assert.equal(answer.status, 200);
    const listed = new Map<string, string[]>((answer.body.rest[0].resource as Array<{ type: string; interaction: Array<{ code: string }> }>)
      .map((r) => [r.type, r.interaction.map((i) => i.code)]));
    for (const type of supportedResourceTypes()) {
      const codes = listed.get(type) ?? [];
      assert.equal(codes.includes('read'), may(role, type, 'read'), `${role} ${type} read`);
      assert.equal(codes.includes('create'), may(role, type, 'create'), `${role} ${type} create`);
      assert.equal(codes.includes('search-type'), may(role, type, 'search'), `${role} ${type} search`);
      assert.equal(codes.includes('delete'), may(role, type, 'delete'), `${role} ${type} delete`);
    }
  }
});
