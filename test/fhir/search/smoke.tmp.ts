import { createSearchTestDb } from './search-test-db.js';
const t = await createSearchTestDb();
try {
  await t.insert({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Sharma', given: ['Zoë'] }], birthDate: '1980-05-01', identifier: [{ system: 'urn:uhid', value: 'U1' }], managingOrganization: { reference: 'Organization/o1' } });
  await t.insert({ resourceType: 'Organization', id: 'o1', name: 'AIIMS' });
  await t.insert({ resourceType: 'Observation', id: 'ob1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' } });
  console.log(await t.ids('Patient', 'name=zoe'));
  console.log(JSON.stringify(await t.find('Patient', 'name=zoe&_include=Patient:organization&_revinclude=Observation:subject&foo=bar&birthdate=ge1980'), null, 1));
  console.log(await t.ids('Observation', 'value-quantity=5.4|http://unitsofmeasure.org|mg'));
} finally { await t.drop(); }
