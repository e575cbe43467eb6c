/**
 * The gateway's credential against the real server's OAuth 2.0 token endpoint: a client of role
 * device gets an access token the FHIR API accepts, it is reused until refused, a wrong secret is
 * refused without the secret appearing in the error, and the CLI will not start without a credential.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { addClient } from '../../src/security/oauth/oauth-clients.js';
import { clientCredentials } from '../../src/devices/gateway/device-credential.js';
import { startTestServer } from '../support/server.js';

const ts = await startTestServer();
after(() => ts.close());

test('an OAuth2 client of role device: its access token works on the API, is reused, and renewed when refused', async () => {
  const { clientId, clientSecret } = await addClient(ts.server.store.admin, { hospitalId: ts.server.hospitalId, name: 'Lab analyzer gateway', role: 'device', scope: 'fhir' });
  const credential = clientCredentials({ server: ts.server.url, clientId, clientSecret });
  const first = await credential.authorization();
  assert.match(first, /^Bearer nrt_/);
  assert.equal(await credential.authorization(), first, 'reused while it is valid');
  const res = await fetch(`${ts.base}/Specimen?_count=1`, { headers: { authorization: first } });
  assert.equal(res.status, 200, 'the API accepts the device client\'s token');
  credential.refused();
  const second = await credential.authorization();
  assert.notEqual(second, first, 'a refused token is replaced');

  const wrong = clientCredentials({ server: ts.server.url, clientId, clientSecret: 'ncs_not-the-secret-at-all' });
  await assert.rejects(wrong.authorization(), (err: Error) => /invalid_client/.test(err.message) && !err.message.includes('ncs_not-the-secret'));
});

test('nirantar devices: --help, and no start without a credential', () => {
  const help = spawnSync(process.execPath, ['bin/nirantar.js', 'devices', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--mllp-port P[\s\S]*--astm-port Q[\s\S]*--spool DIR[\s\S]*NIRANTAR_DEVICE_TOKEN[\s\S]*NIRANTAR_DEVICE_CLIENT_SECRET/);
  const env = { ...process.env, NIRANTAR_DEVICE_TOKEN: '', NIRANTAR_DEVICE_CLIENT_SECRET: '' };
  const none = spawnSync(process.execPath, ['bin/nirantar.js', 'devices', '--server', ts.server.url, '--mllp-port', '0', '--spool', '/tmp/unused'], { encoding: 'utf8', env });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /a credential is required/);
  const noSecret = spawnSync(process.execPath, ['bin/nirantar.js', 'devices', '--server', ts.server.url, '--mllp-port', '0', '--client-id', 'x'], { encoding: 'utf8', env });
  assert.match(noSecret.stderr, /NIRANTAR_DEVICE_CLIENT_SECRET/);
});
