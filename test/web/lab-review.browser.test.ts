/**
 * The device review desk in real Chromium (Debian's, driven by playwright-core) against the real
 * server over the seeded demo hospital. An analyzer, through a device-role API token as the gateway
 * has, sends a haematocrit for a tube that does not exist yet, and then, for a real received blood
 * count tube, a result under a code the lab does not know: both wait for review. The lab technician
 * finds them newest first, scans the real tube, is refused (in the server's words) when choosing an
 * analyte reported in other units, assigns the value to the haematocrit, and discards the other
 * result with a reason, by keyboard. Both leave the list; the report carries the value; the record
 * keeps the discarded one with its reason. Every write in the browser goes through the outbox.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { DeviceObservation, DeviceResultReport } from '../../src/devices/lab-device-types.js';
import type { CollectionReply, LabOrderReply, ReportView, ReviewItem } from '../../src/departments/lab/lab-api.js';
import { accessionDay, accessionOf } from '../../src/departments/lab/accession.js';
import { seedDemoHospital } from '../../src/hospital/seed/seed-hospital.js';
import { issueApiToken } from '../../src/security/api-tokens.js';
import { analyteChoices, newestFirst, offeredAccession } from '../../web/src/desks/lab/review-items.js';
import { createDeskAccounts, ensureWebBuilt, openDeskBrowser, type DeskBrowser } from './support/desk-browser.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/server.js';
import { bearerApi, send, sessionApi } from './support/server-api.js';

const LABTECH = { username: 'lab.meena', displayName: 'Meena Pillai', role: 'lab-technician', password: 'cuvette lamp 5520', practitioner: 'Practitioner/rahul-gupta' } as const;
const INSTRUMENT = 'XN-550';

let server: TestServer;
let browser: DeskBrowser | undefined;
let page: Page;
let problems: string[] = [];
let deviceToken: string;
/** What the steps hand on to the next. */
const flow: { patient?: string; accession?: string; specimen?: string; missing?: string; unknownCode?: ReviewItem; noTube?: ReviewItem } = {};

const api = bearerApi(() => server.server.url, TEST_TOKEN);

/** The API as a signed-in person (the session cookie), so the server sees who did it. */
const apiAs = (account: { username: string; password: string }) => sessionApi(server.server.url, account);

/** One analyzer result as the gateway forwards it (an ASTM R record for the tube `accession`). */
function observation(accession: string, code: string, value: string, units: string): DeviceObservation {
  return {
    setId: '1', test: { code, components: ['', '', '', code] }, value, values: [value], numericValue: Number(value), units,
    abnormalFlags: [], resultStatus: 'F', observedAt: '20261127093000',
    specimen: { accessionNumber: accession, candidates: [accession] }, context: 'order', issues: [],
  };
}

const deviceReport = (messageId: string, observations: DeviceObservation[]): DeviceResultReport => ({
  protocol: 'astm', messageId, instrument: INSTRUMENT, patientIds: [], observations, complete: true,
});

before(async () => {
  await ensureWebBuilt();
  server = await startTestServer();
  await seedDemoHospital(server.server.repo, server.server.hospitalId);
  await createDeskAccounts(server, [LABTECH]);
  deviceToken = await issueApiToken(server.server.store.app, server.server.hospitalId, { name: 'lab-gateway', role: 'device' });
  browser = await openDeskBrowser();
  ({ page, problems } = browser);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const outboxEmpty = () => page.waitForFunction(() => document.querySelector('[data-testid="outbox-pending"]')?.textContent === '0');
const reviewList = () => page.getByTestId('device-review-list').getByRole('button');

/** NIRANTAR_SCREENSHOTS=<dir>: a 1366×768 picture of the desk, to look at the layout. */
const shot = async (name: string) => {
  if (process.env.NIRANTAR_SCREENSHOTS) await page.screenshot({ path: join(process.env.NIRANTAR_SCREENSHOTS, `lab-review-${name}.png`) });
};

async function noticeSays(text: string | RegExp) {
  await page.getByTestId('notice').filter({ hasText: text }).waitFor({ timeout: 15_000 }).catch(async (err) => {
    const said = await page.locator('[data-testid="notice"], [role="alert"]').allInnerTexts().catch(() => []);
    throw new Error(`the desk did not say ${String(text)}; it said: ${JSON.stringify(said)} (${err})`);
  });
}

async function openReview(): Promise<ReviewItem[]> {
  const list = await api('GET', '/api/lab/review');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return list.body as ReviewItem[];
}

test('the desk\'s helpers: newest first, each analyte of the tube\'s tests once, an accession offered only when it could be one', () => {
  const item = (id: string, receivedAt: string): ReviewItem => ({ id, instrument: 'X', testCode: 'C', value: '1', reason: 'r', receivedAt });
  assert.deepEqual(newestFirst([item('a', '2026-11-27T04:00:00Z'), item('b', '2026-11-27T05:00:00Z'), item('c', '2026-11-27T05:00:00Z')]).map((i) => i.id), ['b', 'c', 'a']);
  const order = (test: string, testName: string) => ({ id: test, test, testName, priority: 'routine' as const, orderedAt: '' });
  const catalogue = [
    { id: 'lab-a', key: 'a', name: 'A', section: 'biochemistry' as const, specimen: { key: '', name: '', container: '', capColour: '' }, turnaroundHours: 1,
      analytes: [{ key: 'x', name: 'X', kind: 'quantity' as const, unit: 'mg/dL' }, { key: 'y', name: 'Y', kind: 'quantity' as const, unit: '%' }] },
    { id: 'lab-b', key: 'b', name: 'B', section: 'biochemistry' as const, specimen: { key: '', name: '', container: '', capColour: '' }, turnaroundHours: 1,
      analytes: [{ key: 'y', name: 'Y', kind: 'quantity' as const, unit: '%' }] },
  ];
  const choices = analyteChoices({ orders: [order('lab-a', 'Test A'), order('lab-b', 'Test B')] }, catalogue, ' % ');
  assert.deepEqual(choices.map((c) => [c.key, c.tests, c.unitsAgree]), [['x', ['Test A'], false], ['y', ['Test A', 'Test B'], true]]);
  assert.ok(analyteChoices({ orders: [order('lab-a', 'Test A')] }, catalogue, undefined).every((c) => c.unitsAgree), 'no units sent: any analyte may take it');
  assert.equal(offeredAccession({ accession: 'NO-SUCH-TUBE' }), '');
  assert.equal(offeredAccession({ accession: '26112700012' }), '26112700012');
});

test('an analyzer sends a result for a tube that does not exist yet, then one under an unknown code for a real received tube: both wait for review', async () => {
  const tech = await apiAs(LABTECH);
  const patient = await api('POST', '/api/registration/patients', { name: { given: 'Savitri', family: 'Bai' }, sex: 'female', ageYears: 48 });
  assert.equal(patient.status, 201, JSON.stringify(patient.body));
  // A walk-in's outside prescription, entered at the lab counter: a blood count.
  const ordered = await tech('POST', '/api/lab/orders', { patient: patient.body.id, tests: ['lab-cbc'] });
  assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
  const collected = await tech('POST', '/api/lab/collections', { patient: patient.body.id, orders: (ordered.body as LabOrderReply).orders.map((o) => o.id) });
  assert.equal(collected.status, 201, JSON.stringify(collected.body));
  const [tube] = (collected.body as CollectionReply).specimens;
  const received = await tech('POST', `/api/lab/specimens/${tube.id}/receive`, {});
  assert.equal(received.status, 200, JSON.stringify(received.body));
  Object.assign(flow, { patient: patient.body.id, accession: tube.accession, specimen: tube.id });
  // A well-formed accession of today that no tube has been given yet (the day's last number).
  flow.missing = accessionOf(accessionDay(new Date()), 9999);

  const device = (body: DeviceResultReport) => send(server.server.url, 'POST', '/api/lab/device/results', body, { authorization: `Bearer ${deviceToken}` });
  const first = await device(deviceReport('msg-1', [observation(flow.missing, 'HGB', '12.9', 'g/dL')]));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body, { accepted: true, matched: 0, review: 1, duplicates: 0 });
  // Apart in time, so the list's order is certain (the server stamps each message when it takes it).
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = await device(deviceReport('msg-2', [observation(tube.accession, 'HCT-II', '41.0', '%')]));
  assert.deepEqual(second.body, { accepted: true, matched: 0, review: 1, duplicates: 0 });

  const items = await openReview();
  flow.noTube = items.find((i) => i.accession === flow.missing);
  flow.unknownCode = items.find((i) => i.accession === tube.accession);
  assert.match(flow.noTube?.reason ?? '', /no specimen with accession number/, JSON.stringify(items));
  assert.match(flow.unknownCode?.reason ?? '', /unknown test code HCT-II/, JSON.stringify(items));
});

test('the lab technician opens the desk with Alt+I: the two results, newest first, with instrument, tube, value, reason and time', async () => {
  assert.ok(flow.unknownCode && flow.noTube, 'the review items exist');
  await page.goto(`${server.server.url}/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(LABTECH.username);
  await page.getByLabel('Password').fill(LABTECH.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL((url) => url.pathname === '/lab/phlebotomy');
  await page.getByRole('navigation', { name: 'Desks' }).getByRole('link').first().waitFor();
  const nav = await page.getByRole('navigation', { name: 'Desks' }).getByRole('link').allInnerTexts();
  assert.ok(nav.includes('Device review'), `a lab technician's desks: ${nav.join(', ')}`);
  await page.keyboard.press('Alt+i');
  await page.waitForURL((url) => url.pathname === '/lab/device-review');
  await reviewList().nth(1).waitFor();
  const lines = await reviewList().allInnerTexts();
  assert.equal(lines.length, 2);
  assert.match(lines[0], new RegExp(`HCT-II[\\s\\S]*41\\.0 %[\\s\\S]*${INSTRUMENT}[\\s\\S]*${flow.accession}[\\s\\S]*2026[\\s\\S]*unknown test code HCT-II`), 'the newest first, all it says');
  assert.match(lines[1], new RegExp(`HGB[\\s\\S]*12\\.9 g/dL[\\s\\S]*${flow.missing}[\\s\\S]*no specimen with accession number`));
  // The newest has the focus: Enter opens it.
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="device-review-list"]') !== null);
});

test('the result with the unknown code: the tube is scanned, a wrong analyte refused in the server\'s words, then assigned to the haematocrit by keyboard', async () => {
  await page.keyboard.press('Enter');
  await page.getByTestId('review-item').waitFor();
  // The accession the instrument sent is offered in the scan field, selected: Enter tries it.
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'accession');
  assert.equal(await page.locator('input[name="accession"]').inputValue(), flow.accession);
  await page.keyboard.press('Enter');
  const specimen = page.getByTestId('review-specimen');
  await specimen.getByText('Savitri Bai').waitFor();
  assert.match(await specimen.innerText(), /Complete blood count|CBC/i, 'the tests on the tube');
  const choices = page.getByTestId('analyte-choices');
  // The focus is on the first analyte reported in the units sent (%): the haematocrit, first among the blood count's.
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'analyte');
  assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), 'hematocrit');
  assert.ok(await choices.getByText('Haematocrit (PCV)').isVisible(), 'the haematocrit is offered');
  await shot('assign');

  // The technician picks haemoglobin instead, greyed as reported in g/dL: the server refuses a value sent in %, and the desk says why.
  await choices.getByRole('radio', { name: /^Haemoglobin/ }).check();
  await page.keyboard.press('Enter');
  await noticeSays(/not in g\/dL as Haemoglobin is reported/);
  await outboxEmpty();
  assert.equal((await openReview()).length, 2, 'nothing assigned');

  await choices.getByRole('radio', { name: /^Haematocrit/ }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await noticeSays(/HCT-II 41\.0 % is now the Haematocrit \(PCV\) of Savitri Bai/);
  await outboxEmpty();
  // The report it joined is shown, the value in it; the item has left the list.
  await page.getByTestId('report-detail').getByText('41.0').waitFor();
  await shot('assigned');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="device-review-list"] > li').length === 1);

  const reports = await api('GET', `/api/lab/reports?patient=${flow.patient}`);
  assert.equal(reports.status, 200, JSON.stringify(reports.body));
  const hct = (reports.body as ReportView[]).flatMap((r) => r.results).find((r) => r.analyte === 'hematocrit');
  assert.deepEqual({ value: hct?.value, device: hct?.device, status: hct?.status }, { value: '41.0', device: INSTRUMENT, status: 'preliminary' });
  const left = await openReview();
  assert.deepEqual(left.map((i) => i.id), [flow.noTube!.id]);
  const closed = await server.request('GET', `/Observation/${flow.unknownCode!.id}`);
  assert.equal(closed.body.status, 'cancelled', 'assigned: closed, kept in the record');
});

test('the result for a tube that does not exist: looked up in vain, then discarded with a reason; the list is empty', async () => {
  // The next item has the focus after the assignment.
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="device-review-list"]') !== null);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'accession');
  await page.keyboard.press('Enter');
  await noticeSays(`No specimen with the accession ${flow.missing}`);

  // An empty reason is asked for at the desk, not sent.
  const reason = page.getByRole('textbox', { name: /discard it/ });
  await reason.focus();
  await page.keyboard.press('Enter');
  await noticeSays('Write why the result is discarded');
  await page.keyboard.type('Control material run under a patient barcode');
  await page.keyboard.press('Enter');
  await noticeSays(/discarded: Control material run under a patient barcode/);
  await outboxEmpty();
  await page.getByText('No analyzer result waits for review.').waitFor();

  assert.deepEqual(await openReview(), []);
  const kept = await server.request('GET', `/Observation/${flow.noTube!.id}`);
  assert.equal(kept.body.status, 'entered-in-error');
  assert.ok((kept.body.note as Array<{ text: string }>).some((n) => /Control material run under a patient barcode/.test(n.text)), JSON.stringify(kept.body.note));
});

test('the desk ran under the Content-Security-Policy without unexpected errors', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  // Expected refusals: the tube that does not exist (404) and the analyte in other units (400).
  const expected = ['401 /auth/me', `404 /api/lab/specimens`, `400 /api/lab/review/${flow.unknownCode!.id}/assign`];
  assert.deepEqual(problems.filter((p) => !expected.includes(p)), []);
});
