import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, createSearchTestDb, sorted, type SearchTestDb } from './search-test-db.js';
import type { Bundle } from '../../../src/fhir/search/search-bundle.js';

const entries = (bundle: Bundle, mode: 'match' | 'include') =>
  sorted((bundle.entry ?? []).filter((e) => e.search.mode === mode).map((e) => `${e.resource.resourceType}/${e.resource.id}`));

describe('reference search, _include and _revinclude', () => {
  let t: SearchTestDb;
  before(async () => {
    t = await createSearchTestDb();
    await t.insertAll([
      { resourceType: 'Organization', id: 'org1', name: 'AIIMS' },
      { resourceType: 'Organization', id: 'org2', name: 'Safdarjung' },
      { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'Rao' }] },
      { resourceType: 'Patient', id: 'r1', managingOrganization: { reference: 'Organization/org1' }, generalPractitioner: [{ reference: 'Practitioner/pr1' }] },
      { resourceType: 'Patient', id: 'r2', managingOrganization: { reference: `${BASE_URL}/Organization/org2` } },
      { resourceType: 'Patient', id: 'r3', managingOrganization: { reference: 'Organization/org1/_history/2' } },
      { resourceType: 'Patient', id: 'r4' },
      { resourceType: 'Patient', id: 'r5', managingOrganization: { reference: 'Organization/org3' } },
      { resourceType: 'Patient', id: 'r6', managingOrganization: { reference: 'http://elsewhere.org/fhir/Organization/org1' } },
      { resourceType: 'Observation', id: 'ob1', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/r1' } },
      { resourceType: 'Observation', id: 'ob2', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient/r1' } },
      { resourceType: 'Observation', id: 'ob3', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient/r2' } },
      { resourceType: 'Observation', id: 'ob4', status: 'final', code: { text: 'd' }, contained: [{ resourceType: 'Patient', id: 'cp' }], subject: { reference: '#cp' } },
      { resourceType: 'Observation', id: 'ob5', status: 'final', code: { text: 'e' }, subject: { reference: 'Group/g1' } },
    ]);
    await t.insert({ resourceType: 'Organization', id: 'org3', name: 'Closed' });
    await t.insert({ resourceType: 'Organization', id: 'org3' }, { deleted: true });
  });
  after(() => t.drop());

  const ids = async (type: string, query: string) => sorted(await t.ids(type, query));

  it('Type/id, bare id, absolute URL to this server, _history ignored', async () => {
    assert.deepEqual(await ids('Patient', 'organization=Organization/org1'), ['r1', 'r3']);
    assert.deepEqual(await ids('Patient', 'organization=org1'), ['r1', 'r3']);
    assert.deepEqual(await ids('Patient', `organization=${BASE_URL}/Organization/org1`), ['r1', 'r3']);
    assert.deepEqual(await ids('Patient', 'organization=Organization/org2'), ['r2']);
    assert.deepEqual(await ids('Patient', 'organization=http://elsewhere.org/fhir/Organization/org1'), ['r6']);
    assert.deepEqual(await ids('Patient', 'organization=Organization/org1,Organization/org2'), ['r1', 'r2', 'r3']);
  });

  it('the :Type modifier, and a bare id for a parameter with several target types', async () => {
    assert.deepEqual(await ids('Observation', 'subject:Patient=r1'), ['ob1', 'ob2']);
    assert.deepEqual(await ids('Observation', 'subject=r1'), ['ob1', 'ob2']);
    assert.deepEqual(await ids('Observation', 'patient=r1'), ['ob1', 'ob2']);
    assert.deepEqual(await ids('Observation', 'subject:Group=g1'), ['ob5']);
    await assert.rejects(t.find('Observation', 'patient=Group/g1', { strict: true }), /patient/); // patient cannot be a Group
    assert.deepEqual(await ids('Observation', 'subject:missing=true'), ['ob4']); // '#cp' is not indexed
  });

  it('refuses a reference to a type the parameter cannot point to', async () => {
    await assert.rejects(t.find('Observation', 'subject=Organization/org1', { strict: true }), /subject/);
    await assert.rejects(t.find('Observation', 'subject:Organization=org1', { strict: true }), /subject/);
  });

  it('_include adds what the page refers to, once', async () => {
    const b = await t.find('Patient', '_id=r1,r3&_include=Patient:organization');
    assert.deepEqual(entries(b, 'match'), ['Patient/r1', 'Patient/r3']);
    assert.deepEqual(entries(b, 'include'), ['Organization/org1']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r1&_include=Patient:general-practitioner'), 'include'), ['Practitioner/pr1']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r1&_include=Patient:*'), 'include'), ['Organization/org1', 'Practitioner/pr1']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r2&_include=Patient:organization'), 'include'), ['Organization/org2']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r1&_include=Patient:general-practitioner:Organization'), 'include'), []);
  });

  it('_include leaves out deleted targets and other servers\' resources', async () => {
    assert.deepEqual(entries(await t.find('Patient', '_id=r5,r6&_include=Patient:organization'), 'include'), []);
  });

  it('_include only for the current page', async () => {
    const b = await t.find('Patient', '_id=r1,r2&_count=1&_include=Patient:organization');
    assert.deepEqual(entries(b, 'match'), ['Patient/r1']);
    assert.deepEqual(entries(b, 'include'), ['Organization/org1']);
  });

  it('_revinclude adds what refers to the page', async () => {
    assert.deepEqual(entries(await t.find('Patient', '_id=r1&_revinclude=Observation:subject'), 'include'), ['Observation/ob1', 'Observation/ob2']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r1,r2&_revinclude=Observation:patient'), 'include'), ['Observation/ob1', 'Observation/ob2', 'Observation/ob3']);
    assert.deepEqual(entries(await t.find('Organization', '_id=org1,org2&_revinclude=Patient:organization'), 'include'), ['Patient/r1', 'Patient/r2', 'Patient/r3']);
    assert.deepEqual(entries(await t.find('Patient', '_id=r4&_revinclude=Observation:subject'), 'include'), []);
  });

  it('a resource that matches is not included again', async () => {
    const b = await t.find('Patient', '_id=r1,r2&_revinclude=Observation:subject&_include=Patient:organization');
    const all = (b.entry ?? []).map((e) => `${e.resource.resourceType}/${e.resource.id}`);
    assert.equal(all.length, new Set(all).size);
  });

  it('_include:iterate follows included resources', async () => {
    const b = await t.find('Observation', '_id=ob1&_include=Observation:subject&_include:iterate=Patient:organization');
    assert.deepEqual(entries(b, 'include'), ['Organization/org1', 'Patient/r1']);
    const without = await t.find('Observation', '_id=ob1&_include=Observation:subject&_include=Patient:organization');
    assert.deepEqual(entries(without, 'include'), ['Patient/r1']); // Patient:organization does not start from Observation: ignored with a warning
    assert.ok(without.entry?.some((e) => e.search.mode === 'outcome'));
  });

  it('include entries carry fullUrl and mode include', async () => {
    const b = await t.find('Patient', '_id=r1&_include=Patient:organization');
    const inc = b.entry!.find((e) => e.search.mode === 'include')!;
    assert.equal(inc.fullUrl, `${BASE_URL}/Organization/org1`);
    assert.equal(inc.resource.name, 'AIIMS');
  });

  it('refuses includes of parameters that are not references', async () => {
    await assert.rejects(t.find('Patient', '_include=Patient:name', { strict: true }), /_include/);
    await assert.rejects(t.find('Patient', '_include=Patient:organization:Practitioner', { strict: true }), /_include/);
    await assert.rejects(t.find('Patient', '_revinclude=Observation:nothing', { strict: true }), /_revinclude/);
  });
});
