import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { auditEventRoutes } from '../../src/audit/audit-event-routes.js';
import { AuditTrail } from '../../src/audit/audit-trail.js';
import { fhirErrorHandler } from '../../src/fhir/rest/error-handler.js';
import type { Principal } from '../../src/security/principal.js';
import { accessRecord, ledgerAuditRecords, openAuditStore, searchRecord, type AuditStore } from './audit-fixtures.js';

/**
 * GET/POST AuditEvent through a Fastify app shaped like the FHIR plugin (its error handler and body
 * parsers, a principal set before the routes), over the real projection written by a real trail.
 */
describe('AuditEvent through the FHIR API', () => {
  let store: AuditStore;
  let app: FastifyInstance;
  /** Label (e1…e7, n1) → AuditEvent id. */
  const ids = new Map<string, string>();
  const label = new Map<string, string>();

  before(async () => {
    store = await openAuditStore();
    const trail = new AuditTrail({ writer: store.repo.writer });
    const at = (time: string, name: string) => ({ time, requestId: name });
    trail.record(accessRecord({ ...at('2025-03-01T08:00:00.000Z', 'e1'), resourceId: 'p1', patients: ['Patient/p1'], sourceIp: '10.20.30.40' }));
    trail.record(searchRecord(['Patient/p1', 'Patient/p2'], { ...at('2025-03-01T09:00:00.000Z', 'e2'), sourceIp: '10.20.30.41' }));
    trail.record(accessRecord({ ...at('2025-03-01T10:00:00.000Z', 'e3'), action: 'C', interaction: 'create', resourceType: 'Observation', resourceId: 'o1', patients: ['Patient/p2'], status: 201 }));
    trail.record(accessRecord({
      ...at('2025-03-01T11:00:00.000Z', 'e4'), principal: 'token:lab-gateway', role: 'lab-technician', action: 'U', interaction: 'update',
      resourceType: 'Observation', resourceId: 'o1', patients: ['Patient/p2'], sourceIp: '192.168.1.5', userAgent: null,
    }));
    trail.record(accessRecord({ ...at('2025-03-02T08:00:00.000Z', 'e5'), resourceId: 'p3', patients: ['Patient/p3'], purpose: 'BTG', breakGlassReason: 'casualty', sourceIp: '::ffff:10.20.30.40' }));
    trail.record(accessRecord({
      ...at('2025-03-02T09:00:00.000Z', 'e6'), principal: 'user:ravi', role: 'billing-clerk', status: 403, outcome: '4', outcomeDescription: 'not permitted', sourceIp: '203.0.113.9',
    }));
    trail.record(accessRecord({
      ...at('2025-03-02T10:00:00.000Z', 'e7'), principal: 'anonymous', role: null, action: 'E', interaction: 'login', resourceType: undefined, resourceId: undefined,
      patients: [], status: 401, outcome: '4', purpose: 'HOPERAT', sourceIp: '203.0.113.9',
    }));
    trail.record(accessRecord({ ...at('2025-03-01T08:30:00.000Z', 'n1'), hospitalId: 'north' }));
    await trail.close();
    for (const record of await ledgerAuditRecords(store.admin)) {
      ids.set(record.requestId, record.id);
      label.set(record.id, record.requestId);
    }
    assert.equal(ids.size, 8);

    app = Fastify();
    app.decorateRequest('principal', undefined);
    await app.register(async (fhir) => {
      fhir.setErrorHandler(fhirErrorHandler);
      const json = fhir.getDefaultJsonParser('error', 'error');
      fhir.addContentTypeParser(['application/fhir+json', 'application/json-patch+json'], { parseAs: 'string' }, json);
      fhir.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      fhir.addHook('onRequest', async (request) => {
        const hospitalId = String(request.headers['x-test-hospital'] ?? 'demo');
        request.principal = { hospitalId, principal: 'user:auditor', scope: 'fhir', role: 'auditor', kind: 'token', department: null, ward: null } satisfies Principal;
      });
      await auditEventRoutes(fhir, { db: store.app });
    }, { prefix: '/fhir/R4' });
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url: `/fhir/R4${path}`, headers });
    return { status: res.statusCode, headers: res.headers, body: res.json() as any };
  };
  /** The labels of a searchset's matches, in order. */
  const found = async (query: string) => {
    const { status, body } = await get(`/AuditEvent?${query}`);
    assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
    return (body.entry ?? []).map((e: any) => label.get(e.resource.id));
  };

  test('a searchset of every event of the hospital, newest first; _sort=date for oldest first', async () => {
    const { body, headers } = await get('/AuditEvent');
    assert.match(String(headers['content-type']), /^application\/fhir\+json/);
    assert.equal(body.resourceType, 'Bundle');
    assert.equal(body.type, 'searchset');
    assert.deepEqual(body.entry.map((e: any) => label.get(e.resource.id)), ['e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1']);
    assert.ok(body.entry.every((e: any) => e.search.mode === 'match' && e.fullUrl.endsWith(`/fhir/R4/AuditEvent/${e.resource.id}`)));
    assert.deepEqual(await found('_sort=date'), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    assert.deepEqual(await get('/AuditEvent', { 'x-test-hospital': 'north' }).then((r) => r.body.entry.map((e: any) => label.get(e.resource.id))), ['n1']);
  });

  test('date: a day, a window, prefixes and precision', async () => {
    assert.deepEqual(await found('date=2025-03-01&_sort=date'), ['e1', 'e2', 'e3', 'e4']);
    assert.deepEqual(await found('date=ge2025-03-01T09:00:00Z&date=lt2025-03-01T11:00:00Z&_sort=date'), ['e2', 'e3']);
    assert.deepEqual(await found('date=gt2025-03-01T10:00Z&_sort=date'), ['e4', 'e5', 'e6', 'e7'], 'minute precision: after 10:00:59.999');
    assert.deepEqual(await found('date=le2025-03-01T08:00:00.000Z'), ['e1']);
    assert.deepEqual(await found('date=ne2025-03-01&_sort=date'), ['e5', 'e6', 'e7']);
    assert.deepEqual(await found('date=eq2025-03-02T08:00:00%2B00:00'), ['e5']);
    assert.deepEqual(await found('date=2025-02'), []);
    assert.deepEqual(await found('date=2025-03-01T16:30:00%2B05:30,2025-03-02T10:00:00Z'), ['e7', 'e4'], 'comma: either instant (16:30 IST is 11:00 UTC)');
    assert.deepEqual(await found('date=2025-03-01T16:00:00%2B05:30'), [], '16:00 IST is 10:30 UTC: nothing then');
  });

  test('agent, agent-name, agent-role', async () => {
    assert.deepEqual(await found('agent=user:asha&_sort=date'), ['e1', 'e3', 'e5']);
    assert.deepEqual(await found('agent-name=token:lab-gateway'), ['e4']);
    assert.deepEqual(await found('agent=user:asha,user:meera&_sort=date'), ['e1', 'e2', 'e3', 'e5']);
    assert.deepEqual(await found('agent-role=nurse'), ['e2']);
    assert.deepEqual(await found('agent-role=https://nirantar.health/CodeSystem/access-role|doctor&_sort=date'), ['e1', 'e3', 'e5']);
    assert.deepEqual(await found('agent=user:ash'), [], 'the principal exactly, not a prefix');
  });

  test('patient, entity', async () => {
    assert.deepEqual(await found('patient=Patient/p1&_sort=date'), ['e1', 'e2', 'e6']);
    assert.deepEqual(await found('patient=p2&_sort=date'), ['e2', 'e3', 'e4']);
    assert.deepEqual(await found('patient=Patient/nobody'), []);
    assert.deepEqual(await found('entity=Observation/o1&_sort=date'), ['e3', 'e4']);
    assert.deepEqual(await found('entity=Patient/p3'), ['e5']);
    assert.deepEqual(await found('entity=Patient/p2&_sort=date'), ['e2', 'e3', 'e4'], 'a Patient entity: also events concerning it');
  });

  test('address: exact, IPv4-mapped, CIDR', async () => {
    assert.deepEqual(await found('address=10.20.30.40&_sort=date'), ['e1', 'e3', 'e5']);
    assert.deepEqual(await found('address=::ffff:10.20.30.41'), ['e2']);
    assert.deepEqual(await found('address=203.0.113.0/24&_sort=date'), ['e6', 'e7']);
    assert.deepEqual(await found('address=192.168.1.5'), ['e4']);
  });

  test('action, outcome, subtype, purpose, and criteria together', async () => {
    assert.deepEqual(await found('action=C'), ['e3']);
    assert.deepEqual(await found('action=U'), ['e4']);
    assert.deepEqual(await found('outcome=4&_sort=date'), ['e6', 'e7']);
    assert.deepEqual(await found('subtype=search-type'), ['e2']);
    assert.deepEqual(await found('subtype=http://hl7.org/fhir/restful-interaction|update'), ['e4']);
    assert.deepEqual(await found('subtype=110122'), ['e7']);
    assert.deepEqual(await found('purpose=BTG'), ['e5']);
    assert.deepEqual(await found('agent=user:asha&patient=p1'), ['e1']);
    assert.deepEqual(await found('agent=user:asha&date=2025-03-02'), ['e5']);
    assert.deepEqual(await found('address=10.20.30.40&action=R&date=2025-03-01'), ['e1']);
  });

  test('paging: next links carry the criteria and a cursor, until the last page', async () => {
    const labels: string[][] = [];
    let url: string | undefined = '/AuditEvent?_count=2';
    while (url) {
      const { status, body } = await get(url);
      assert.equal(status, 200);
      labels.push(body.entry.map((e: any) => label.get(e.resource.id)));
      const next = body.link.find((l: any) => l.relation === 'next')?.url as string | undefined;
      url = next ? next.slice(next.indexOf('/AuditEvent')) : undefined;
      assert.ok(labels.length < 10);
    }
    assert.deepEqual(labels, [['e7', 'e6'], ['e5', 'e4'], ['e3', 'e2'], ['e1']]);
    const { body } = await get('/AuditEvent?agent=user:asha&_sort=date&_count=1');
    const next = new URL(body.link.find((l: any) => l.relation === 'next').url);
    assert.equal(next.searchParams.get('agent'), 'user:asha');
    assert.equal(next.searchParams.get('_sort'), 'date');
    assert.deepEqual(await found(next.search.slice(1)), ['e3']);
  });

  test('POST _search with a form body', async () => {
    const res = await app.inject({
      method: 'POST', url: '/fhir/R4/AuditEvent/_search?_sort=date', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'agent=user%3Aasha&date=2025-03-01',
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().entry.map((e: any) => label.get(e.resource.id)), ['e1', 'e3']);
  });

  test('read by id; another hospital\'s event is not found', async () => {
    const { status, body } = await get(`/AuditEvent/${ids.get('e5')}`);
    assert.equal(status, 200);
    assert.equal(body.id, ids.get('e5'));
    assert.equal(body.purposeOfEvent[0].text, 'casualty');
    assert.equal(body.agent[0].network.address, '::ffff:10.20.30.40');
    assert.equal((await get(`/AuditEvent/${ids.get('n1')}`)).status, 404);
    const missing = await get('/AuditEvent/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.resourceType, 'OperationOutcome');
    assert.equal((await get('/AuditEvent/not_an_id!')).status, 400);
  });

  test('bad parameters are refused with a 400 OperationOutcome naming them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['foo=bar', /unknown search parameter "foo"/],
      ['date=yesterday', /date "yesterday"/],
      ['date=ap2025-03-01', /prefix "ap"/],
      ['patient:missing=true', /"patient:missing": modifiers/],
      ['_count=5000', /_count/],
      ['address=999.1.1.1', /address "999.1.1.1"/],
      ['address=10.0.0.0/33', /address/],
      ['entity=o1', /entity "o1" must be Type\/id/],
      ['patient=Observation/o1', /not a reference to a Patient/],
      ['_cursor=garbage', /_cursor/],
      ['_sort=agent', /_sort "agent"/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await get(`/AuditEvent?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.resourceType, 'OperationOutcome');
      assert.match(body.issue[0].diagnostics, message, query);
    }
  });

  test('every write interaction is 405: AuditEvents are written by the server only', async () => {
    const event = { resourceType: 'AuditEvent', id: ids.get('e1') };
    const calls: Array<[string, string, unknown]> = [
      ['POST', '/AuditEvent', event], ['PUT', '/AuditEvent', event], ['DELETE', '/AuditEvent', undefined],
      ['PUT', `/AuditEvent/${ids.get('e1')}`, event], ['PATCH', `/AuditEvent/${ids.get('e1')}`, [{ op: 'remove', path: '/agent' }]],
      ['DELETE', `/AuditEvent/${ids.get('e1')}`, undefined],
    ];
    for (const [method, path, body] of calls) {
      const res = await app.inject({
        method: method as 'POST', url: `/fhir/R4${path}`,
        ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/fhir+json' } }),
      });
      assert.equal(res.statusCode, 405, `${method} ${path}`);
      assert.equal(res.headers.allow, 'GET');
      assert.deepEqual(res.json().issue.map((i: any) => [i.code, i.diagnostics]), [['not-supported', 'AuditEvents are written by the server only']]);
    }
    assert.equal((await ledgerAuditRecords(store.admin)).length, 8);
  });
});
