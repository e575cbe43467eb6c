/**
 * The registration desk in real Chromium (Debian's, driven by playwright-core) against the real
 * server: sign in as a registration clerk, meet the field checks, register a patient with a
 * double-click, watch the outbox empty and the UHID appear, and find exactly one Patient with that
 * UHID through the FHIR API.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { createDeskAccounts, ensureWebBuilt, openDeskBrowser, type DeskBrowser } from './support/desk-browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { UHID_SYSTEM } from '../../web/src/desks/registration/registration-form.js';

const CLERK = { username: 'clerk.asha', displayName: 'Asha Verma', password: 'counter two lamp 4871' };

let server: TestServer;
let browser: DeskBrowser | undefined;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];

before(async () => {
  await ensureWebBuilt();
  server = await startTestServer();

  await createDeskAccounts(server, [{ username: CLERK.username, displayName: CLERK.displayName, role: 'registration-clerk', password: CLERK.password }]);

  browser = await openDeskBrowser();
  ({ context, page, problems } = browser);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const pending = () => page.getByTestId('outbox-pending');

test('a clerk signs in and lands on the registration desk', async () => {
  await page.goto(`${server.server.url}/`);
  await page.getByLabel('Username').fill(CLERK.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'the username, password or one-time code is not correct' }).waitFor();

  await page.getByLabel('Password').fill(CLERK.password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'New registration' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/registration');
  assert.match(await page.getByTestId('user').innerText(), /Asha Verma \(registration-clerk\)/);
  assert.equal(await pending().innerText(), '0');
});

test('bad input is refused at the field, and nothing is queued', async () => {
  await page.getByLabel('Given name').fill('Sunita');
  await page.getByLabel('Sex').selectOption('female');
  await page.getByLabel('Date of birth').fill('2099-01-01');
  await page.getByLabel('Mobile').first().fill('12345');
  await page.getByLabel('PIN code').fill('3020');
  await page.getByTestId('register').click();
  await page.getByText('The date of birth cannot be in the future').waitFor();
  await page.getByText('A mobile number has 10 digits after +91, but this one has 5').waitFor();
  await page.getByText('A PIN code has 6 digits and does not start with 0').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'birthDate', 'the first bad field has the focus');
  assert.equal(await pending().innerText(), '0');
});

test('a double-clicked registration goes through the outbox once: one patient, its UHID on screen', async () => {
  const family = 'Kumari'; // the database is this test file's own
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('Date of birth').fill('1988-06-15');
  await page.getByLabel('Mobile').first().fill('9876543210');
  await page.getByLabel('House, street, village').fill('14 Gandhi Nagar');
  await page.getByLabel('City / town').fill('Jaipur');
  await page.getByLabel('District').fill('Jaipur');
  await page.getByLabel('State').fill('Rajasthan');
  await page.getByLabel('PIN code').fill('302001');
  await page.getByLabel('Name', { exact: true }).fill('Mohan Lal');
  await page.getByLabel('Relationship').fill('father');
  const confirm = page.getByLabel(/register a new patient/);
  if (await confirm.isVisible()) await confirm.check();
  await page.getByTestId('register').dblclick();

  const uhid = (await page.getByTestId('uhid').innerText()).trim();
  assert.ok(uhid.length > 0 && uhid !== 'no UHID in the answer', `a UHID is shown (${uhid})`);
  await page.getByRole('link', { name: 'Print registration slip' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="outbox-pending"]')?.textContent === '0');

  const queued = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('nirantar-outbox:demo:clerk.asha');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const items = await new Promise<any[]>((resolve) => {
      const all = db.transaction('items').objectStore('items').getAll();
      all.onsuccess = () => resolve(all.result);
    });
    db.close();
    return items.map((i) => ({ status: i.status, path: i.request.path, requestId: i.requestId }));
  });
  assert.equal(queued.length, 1, 'the double-click queued one write');
  assert.equal(queued[0].status, 'done');
  assert.equal(queued[0].path, '/api/registration/patients');

  const byUhid = await server.request('GET', `/Patient?identifier=${encodeURIComponent(`${UHID_SYSTEM}|${uhid}`)}`);
  assert.equal(byUhid.status, 200);
  assert.equal(byUhid.body.entry?.length, 1, 'exactly one Patient has the UHID');
  const byName = await server.request('GET', `/Patient?family=${family}`);
  assert.equal(byName.body.entry?.length, 1, 'exactly one Patient was registered');
  const patient = byName.body.entry[0].resource;
  assert.equal(patient.gender, 'female');
  assert.equal(patient.birthDate, '1988-06-15');
});

test('the next patient starts from an empty form; the near-identical one is flagged as a possible duplicate', async () => {
  await page.getByRole('button', { name: 'Next patient' }).click();
  assert.equal(await page.getByLabel('Given name').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'given');
  await page.getByLabel('Given name').fill('Suneeta');
  await page.getByLabel('Family name').fill('Kumari');
  await page.getByLabel('Sex').selectOption('female');
  await page.getByLabel('Date of birth').fill('1988-06-15');
  await page.getByLabel('Mobile').first().fill('9876543210');
  await page.getByTestId('duplicates').waitFor();
  assert.match(await page.getByTestId('duplicates').innerText(), /Sunita Kumari/);
  await page.getByTestId('register').click();
  assert.ok(await page.getByLabel(/register a new patient/).evaluate((el) => el === document.activeElement), 'the clerk is asked to confirm a new patient');
  assert.equal(await pending().innerText(), '0');
});

test('offline, a registration waits in the outbox and goes once the network is back', async () => {
  await page.getByRole('button', { name: 'Clear' }).click();
  const family = 'Chaudhary';
  await page.getByLabel('Given name').fill('Ramesh');
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('Sex').selectOption('male');
  await page.getByLabel('or age').fill('52');
  await context!.setOffline(true);
  try {
    await page.getByTestId('register').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="outbox-pending"]')?.textContent === '1');
    await page.getByTestId('queued').waitFor();
    assert.match(await page.getByTestId('outbox').innerText(), /offline|retrying/);
  } finally {
    await context!.setOffline(false);
  }
  await page.getByTestId('uhid').waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="outbox-pending"]')?.textContent === '0');
  assert.equal((await server.request('GET', `/Patient?family=${family}`)).body.entry?.length, 1);
  await page.getByRole('button', { name: 'Next patient' }).click();
});

test('the page ran under its Content-Security-Policy without errors, and signing out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const me = await page.evaluate(async () => (await fetch('/auth/me')).status);
  assert.equal(me, 401);
  // The refused sign-in and /auth/me while signed out are expected (and the duplicate search while
  // it does not exist); nothing else may fail.
  const expected = new Set(['401 /auth/login', '401 /auth/me', '404 /api/registration/duplicates']);
  assert.deepEqual(problems.filter((p) => !expected.has(p)), []);
});
