/**
 * The registration slip over real HTTP: the FHIR routes, the registration plugin and the slip routes
 * under /api/registration, over a real test database (as registration-app.ts, with the slip routes
 * added the way the lead wires them).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import { PNG } from 'pngjs';
import { registrationPlugin } from '../../../src/departments/registration/registration-plugin.js';
import { registrationSlipPdf } from '../../../src/departments/registration/registration-slip.js';
import { registrationSlipRoutes } from '../../../src/departments/registration/slip-routes.js';
import { UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
import { currentVersion } from '../../../src/fhir/repository/current-version.js';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import { fhirPlugin } from '../../../src/fhir/rest/fhir-plugin.js';
import { barcodeSymbol } from '../../../src/printing/barcode.js';
import { indiaDateTime } from '../../../src/printing/india-time.js';
import { mm } from '../../../src/printing/layout.js';
import { AccessControl } from '../../../src/security/access-control.js';
import { PatientScope } from '../../../src/security/permissions/patient-scope.js';
import type { Principal, Role } from '../../../src/security/principal.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';
import { decodeRendered, decodeSymbol, inspectPdf, pdfToText, popplerInstalled, POPPLER_MISSING, renderPage, subpathsOf } from '../../printing/pdf-inspect.js';

const HOSPITAL = 'slip-test';
const HOSPITAL_NAME = 'Slip Test Hospital, Patna';

let database: AppDatabase;
let repo: FhirRepository;
let base: string;
let close: () => Promise<void>;
let anita: any;
const state: { role: Role | null; lastAccess?: { interaction: string; resourceType?: string; patients: string[] } } = { role: 'registration-clerk' };

before(async () => {
  database = await openAppDatabase({ hospitalId: HOSPITAL, appPoolSize: 4 });
  repo = new FhirRepository(database.app);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(database.app, hospital, type, id);
    return found && !found.deleted ? found.resource : null;
  });
  const app = Fastify();
  app.addHook('onRequest', async (request) => {
    const principal: Principal = { hospitalId: HOSPITAL, principal: 'user:test-clerk', scope: 'fhir', role: state.role, kind: 'token', department: null, ward: null };
    request.principal = principal;
  });
  app.addHook('onResponse', async (request) => {
    const a = request.access;
    state.lastAccess = a ? { interaction: a.interaction, resourceType: a.resourceType, patients: [...a.patients] } : undefined;
  });
  await app.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  await app.register(registrationPlugin, { prefix: '/api/registration', repo, db: database.app, access });
  await app.register(registrationSlipRoutes, { prefix: '/api/registration', repo, access });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  close = async () => { await app.close(); await database.close(); };

  // The hospital's own Organization (its name heads the slip), and a department that is part of it.
  const ctx = { hospitalId: HOSPITAL, actor: 'user:seed', sourceIp: null, requestId: null, requestHash: null, baseUrl: 'http://localhost/fhir/R4' };
  const type = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code }] }];
  const hospital = await repo.create(ctx, { resourceType: 'Organization', active: true, type: type('prov'), name: HOSPITAL_NAME });
  await repo.create(ctx, { resourceType: 'Organization', active: true, type: type('prov'), name: 'Department of Medicine', partOf: { reference: `Organization/${hospital.id}` } });

  anita = await register({
    name: { given: 'Anita', family: 'Sharma' }, sex: 'female', birthDate: '1987-04-12', phone: '098765 43210', abha: '12345678901234',
  });
});
after(async () => { await close?.(); });

async function register(body: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${base}/api/registration/patients`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': randomUUID() }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

const slip = (id: string) => fetch(`${base}/api/registration/patients/${id}/slip.pdf`);
const uhidOf = (p: any): string => p.identifier.find((i: any) => i.system === UHID_SYSTEM).value;


test('GET /patients/:id/slip.pdf is an A5 PDF with the hospital, the UHID, name, sex, age, phone, ABHA and registration time', async () => {
  state.role = 'registration-clerk';
  const res = await slip(anita.id);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.match(res.headers.get('content-disposition') ?? '', /^inline; filename="registration-slip-1\d{3}-\d{4}-\d{4}\.pdf"$/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(Buffer.from(bytes.subarray(0, 5)).toString('latin1'), '%PDF-');
  const pdf = await inspectPdf(bytes); // pdf-lib parses it
  assert.equal(pdf.doc.getPageCount(), 1);
  assert.ok(Math.abs(pdf.size.width - mm(148)) < 0.01 && Math.abs(pdf.size.height - mm(210)) < 0.01, 'A5');
  const uhid = uhidOf(anita);
  const registered = indiaDateTime(anita.meta.lastUpdated);
  for (const text of [HOSPITAL_NAME, uhid, 'Anita Sharma', 'Female', '+91 98765 43210', '12-3456-7890-1234', registered]) {
    assert.ok(pdf.texts.includes(text), `the slip shows "${text}": ${JSON.stringify(pdf.texts)}`);
  }
  assert.ok(pdf.texts.some((t) => /^\d+ years \(DOB 12-04-1987\)$/.test(t)), 'age and date of birth');
  assert.ok(!pdf.texts.includes('Department of Medicine'), 'the hospital, not a department');
  assert.equal(pdf.doc.getCreationDate()?.toISOString(), `${anita.meta.lastUpdated.slice(0, 19)}.000Z`, 'dated by the registration (PDF dates count whole seconds)');
  // The barcodes: a Code 128 and a QR code of the UHID's digits, as bwip-js encodes them, drawn as
  // vector paths (every bar, every run of dark QR modules); the symbols decode back to the UHID.
  const digits = uhid.replace(/-/g, '');
  const code128 = barcodeSymbol(digits, 'code128');
  const qr = barcodeSymbol(digits, 'qr');
  assert.deepEqual(pdf.images, []);
  assert.equal(pdf.closedSubpaths, subpathsOf(code128) + subpathsOf(qr));
  assert.equal(decodeSymbol(code128), digits);
  assert.equal(decodeSymbol(qr), digits);
  assert.deepEqual(state.lastAccess, { interaction: 'read', resourceType: 'Patient', patients: [`Patient/${anita.id}`] }, 'the audit trail names the patient');
});

test('the printed slip (rendered by poppler) scans back: Code 128 and QR give the UHID; pdftotext finds UHID and name', { skip: popplerInstalled() ? false : POPPLER_MISSING }, async () => {
  const bytes = new Uint8Array(await (await slip(anita.id)).arrayBuffer());
  const uhid = uhidOf(anita);
  const text = pdfToText(bytes);
  assert.match(text, new RegExp(uhid));
  assert.match(text, /Anita Sharma/);
  const page = renderPage(bytes, 200);
  const image = PNG.sync.read(page);
  // The left part of the page holds the Code 128, the right the QR code: decode each alone.
  const half = Math.floor(image.width * 0.7);
  assert.equal(decodeRendered(page, 'code128', { x: 0, y: 0, width: half, height: Math.floor(image.height / 2) }), uhid.replace(/-/g, ''));
  assert.equal(decodeRendered(page, 'qr', { x: half, y: 0, width: image.width - half, height: Math.floor(image.height / 3) }), uhid.replace(/-/g, ''));
});

test('the same patient gives the same slip, byte for byte', async () => {
  const a = Buffer.from(await (await slip(anita.id)).arrayBuffer());
  const b = Buffer.from(await (await slip(anita.id)).arrayBuffer());
  assert.ok(a.equals(b));
});

test('a patient registered by age: the slip says the age was told, and prints without phone or ABHA', async () => {
  const p = await register({ name: { text: 'Ramesh' }, sex: 'male', ageYears: 62 });
  const pdf = await inspectPdf(new Uint8Array(await (await slip(p.id)).arrayBuffer()));
  assert.ok(pdf.texts.includes('Ramesh'));
  assert.ok(pdf.texts.includes('Male'));
  assert.ok(pdf.texts.some((t) => /^62 years \(as told; DOB about \d{4}\)$/.test(t)), JSON.stringify(pdf.texts));
  assert.ok(!pdf.texts.includes('Phone') && !pdf.texts.includes('ABHA number'));
});

test('an unknown patient is a 404 OperationOutcome; a malformed id a 400', async () => {
  const res = await slip('no-such-patient');
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.resourceType, 'OperationOutcome');
  assert.equal(body.issue[0].code, 'not-found');
  const bad = await slip('bad_id!');
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).resourceType, 'OperationOutcome');
});

test('permission: a role that may not read patients gets a 403; a nurse with no ward set prints no slip', async () => {
  try {
    state.role = null;
    const denied = await slip(anita.id);
    assert.equal(denied.status, 403);
    assert.equal((await denied.json()).issue[0].code, 'forbidden');
    state.role = 'nurse';
    const scoped = await slip(anita.id);
    assert.equal(scoped.status, 403);
    assert.match((await scoped.json()).issue[0].diagnostics, /outside your ward/);
  } finally {
    state.role = 'registration-clerk';
  }
});

test('registrationSlipPdf: a hospital name given in the options, and a Patient without a UHID is refused', async () => {
  const patient = { resourceType: 'Patient', id: 'x', identifier: [{ system: UHID_SYSTEM, value: '1000-0012-3456' }], name: [{ text: 'Ānanda Rao' }], gender: 'other', birthDate: '2026-01-15' };
  const pdf = await inspectPdf(await registrationSlipPdf(patient, { hospitalName: 'Given Name Hospital', registeredAt: '2026-11-27T04:05:06Z' }));
  assert.ok(pdf.texts.includes('Given Name Hospital'));
  assert.ok(pdf.texts.includes('Ananda Rao'), 'printed in Latin, without the accent');
  assert.ok(pdf.texts.includes('10 months (DOB 15-01-2026)'), JSON.stringify(pdf.texts));
  assert.ok(pdf.texts.includes('27-11-2026 09:35 IST'));
  await assert.rejects(registrationSlipPdf({ ...patient, identifier: [] }, { hospitalName: 'H', registeredAt: '2026-11-27T04:05:06Z' }), /no UHID/);
});
