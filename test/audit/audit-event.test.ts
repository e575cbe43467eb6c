import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toAuditEvent } from '../../src/audit/audit-event.js';
import { loadDefinitions } from '../../src/fhir/definitions.js';
import { validateResource } from '../../src/fhir/validation/validate-resource.js';
import { accessRecord, searchRecord } from './audit-fixtures.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('an access record as a FHIR R4 AuditEvent', () => {
  before(() => loadDefinitions());

  test('a read: rest/read, who, role, network address, user agent, the patient and the resource', () => {
    const access = accessRecord({ userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', clientRequestId: 'desk-42' });
    const event = toAuditEvent(access, ID) as any;
    validateResource(event);
    assert.equal(event.resourceType, 'AuditEvent');
    assert.equal(event.id, ID);
    assert.deepEqual(event.type, { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' });
    assert.deepEqual(event.subtype, [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }]);
    assert.equal(event.action, 'R');
    assert.equal(event.recorded, access.time);
    assert.deepEqual(event.period, { start: access.time, end: access.time });
    assert.equal(event.outcome, '0');
    assert.deepEqual(event.purposeOfEvent, [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }] }]);
    assert.equal(event.agent.length, 1);
    const agent = event.agent[0];
    assert.deepEqual(agent.who, { identifier: { system: 'https://nirantar.health/principal', value: 'user:asha' }, display: 'user:asha' });
    assert.equal(agent.name, 'user:asha');
    assert.equal(agent.altId, access.userId);
    assert.equal(agent.requestor, true);
    assert.deepEqual(agent.role, [{ coding: [{ system: 'https://nirantar.health/CodeSystem/access-role', code: 'doctor' }], text: 'doctor' }]);
    assert.deepEqual(agent.network, { address: '10.20.30.40', type: '2' });
    assert.deepEqual(agent.extension, [{ url: 'https://nirantar.health/fhir/StructureDefinition/audit-user-agent', valueString: 'Mozilla/5.0 (Nirantar desk)' }]);
    assert.equal(event.source.observer.display, 'Nirantar');
    assert.equal(event.source.site, 'demo');
    assert.deepEqual(event.entity.map((e: any) => [e.what, e.role.code, e.type.code]), [
      [{ reference: 'Patient/p1' }, '1', '1'],
      [{ reference: 'Patient/p1' }, '4', '2'],
    ]);
    assert.deepEqual(event.extension.map((e: any) => [e.url.split('/').pop(), e.valueString ?? e.valueInteger]), [
      ['audit-request-id', access.requestId], ['audit-client-request-id', 'desk-42'], ['audit-http-status', 200],
    ]);
  });

  test('a search: search-type, one entity per patient returned, the query in base64', () => {
    const access = searchRecord(['Patient/a', 'Patient/b', 'Patient/a']);
    const event = toAuditEvent(access, ID) as any;
    validateResource(event);
    assert.equal(event.subtype[0].code, 'search-type');
    const patients = event.entity.filter((e: any) => e.role.code === '1').map((e: any) => e.what.reference);
    assert.deepEqual(patients, ['Patient/a', 'Patient/b']);
    const addressed = event.entity.find((e: any) => e.role.code === '4');
    assert.deepEqual(addressed.what, { type: 'Observation' });
    const query = event.entity.find((e: any) => e.role.code === '24');
    assert.equal(Buffer.from(query.query, 'base64').toString('utf8'), 'code=http://loinc.org|718-7&_count=20');
    assert.equal(query.name, undefined, 'sev-1: an entity has a name or a query, not both');
  });

  test('the restful-interaction code follows the level of a search or history', () => {
    const code = (overrides: Parameters<typeof accessRecord>[0]) => (toAuditEvent(accessRecord(overrides), ID) as any).subtype[0].code;
    assert.equal(code({ interaction: 'search', resourceType: undefined, resourceId: undefined }), 'search-system');
    assert.equal(code({ interaction: 'history', resourceId: 'p1' }), 'history-instance');
    assert.equal(code({ interaction: 'history', resourceId: undefined }), 'history-type');
    assert.equal(code({ interaction: 'history', resourceType: undefined, resourceId: undefined }), 'history-system');
    for (const interaction of ['vread', 'create', 'update', 'patch', 'delete', 'batch', 'transaction', 'capabilities', 'operation'] as const) {
      assert.equal(code({ interaction }), interaction);
    }
  });

  test('break-glass: purpose BTG with the reason; a refusal: outcome 4 with its description', () => {
    const event = toAuditEvent(accessRecord({
      purpose: 'BTG', breakGlassReason: 'unconscious patient in casualty', status: 403, outcome: '4', outcomeDescription: 'outside the ward of user:asha',
    }), ID) as any;
    validateResource(event);
    assert.deepEqual(event.purposeOfEvent, [{
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' }],
      text: 'unconscious patient in casualty',
    }]);
    assert.equal(event.outcome, '4');
    assert.equal(event.outcomeDesc, 'outside the ward of user:asha');
  });

  test('a login without role, patients or resource; a host name instead of an IP; anonymous', () => {
    const event = toAuditEvent(accessRecord({
      interaction: 'login', action: 'E', principal: 'anonymous', role: null, resourceType: undefined, resourceId: undefined, patients: [],
      sourceIp: 'desk-7.ward.local', userAgent: null, purpose: 'HOPERAT', status: 401, outcome: '4',
    }), ID) as any;
    validateResource(event);
    assert.deepEqual(event.type, { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' });
    assert.deepEqual(event.subtype, [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' }]);
    assert.equal(event.entity, undefined);
    assert.equal(event.agent[0].role, undefined);
    assert.equal(event.agent[0].extension, undefined);
    assert.deepEqual(event.agent[0].network, { address: 'desk-7.ward.local', type: '1' });
  });

  test('the validator would catch a broken mapping (the test can fail)', () => {
    const event = toAuditEvent(accessRecord(), ID) as any;
    assert.throws(() => validateResource({ ...event, action: 'X' }), /AuditEvent.action/);
    assert.throws(() => validateResource({ ...event, agent: [{ ...event.agent[0], requestor: undefined }] }), /requestor/);
  });
});
