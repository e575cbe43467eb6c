/**
 * `nirantar client add|list|disable` and `nirantar bootstrap-token --status|--revoke` as real child
 * processes against a throwaway database; the client the CLI prints obtains a token from the real
 * token endpoint, and the revoked bootstrap token stops verifying.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { TokenVerifier, ensureBootstrapToken } from '../../../src/security/api-tokens.js';
import { oauthPlugin } from '../../../src/security/oauth/oauth-plugin.js';
import { appRoleName, ensureAppRole } from '../../../src/store/app-role.js';
import { connectDatabase, type Database } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrate.js';
import { ensureHospital } from '../../../src/store/open-store.js';
import { createTestDatabase, testAdminUrl } from '../../support/database.js';

const run = promisify(execFile);
type Result = { code?: number; stdout: string; stderr: string };
const BOOTSTRAP = 'bootstrap-token-for-the-cli-test';

describe('nirantar client and bootstrap-token', () => {
  let scratch: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: Database;
  let app: Database;
  let server: FastifyInstance;
  let base: string;
  const nirantar = (...args: string[]): Promise<Result> =>
    run(process.execPath, ['bin/nirantar.js', ...args, '--database-url', scratch.url, '--hospital', 'h1']).catch((e) => e);

  before(async () => {
    scratch = await createTestDatabase();
    admin = connectDatabase(scratch.url, { max: 2 });
    await migrate(admin);
    await ensureHospital(admin, 'h1', 'Test Hospital');
    app = connectDatabase(await ensureAppRole(admin, scratch.url), { max: 2 });
    server = Fastify({ logger: false });
    await server.register(oauthPlugin, { prefix: '/oauth', db: app, hospitalId: 'h1' });
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await server?.close();
    await app?.close();
    await admin?.close();
    await scratch?.drop();
    const c = new pg.Client({ connectionString: testAdminUrl() });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(scratch.name))}`);
    await c.end();
  });

  test('--help of both, and refusals of bad use with exit code 2 or a clear message', async () => {
    for (const command of ['client', 'bootstrap-token']) {
      const help = await run(process.execPath, ['bin/nirantar.js', command, '--help']);
      assert.match(help.stdout, new RegExp(`^Usage: nirantar ${command} `));
      assert.match(help.stdout, /--database-url URL/);
    }
    assert.equal((await nirantar('client')).code, 2);
    assert.equal((await nirantar('bootstrap-token')).code, 2);
    const noRole = await nirantar('client', 'add', '--name', 'Gateway');
    assert.equal(noRole.code, 1);
    assert.match(noRole.stderr, /client add needs --role, one of: registration-clerk, /);
    assert.match((await nirantar('client', 'add', '--name', 'Gateway', '--role', 'bootstrap')).stderr, /needs --role/);
    assert.match((await nirantar('client', 'add', '--name', 'V', '--scope', 'replication', '--role', 'admin')).stderr, /has no role: leave out --role/);
  });

  test('client add prints the id and secret once; they obtain a token; list shows it; disable refuses it', async () => {
    const added = await nirantar('client', 'add', '--name', 'Lab analyzer gateway', '--role', 'device');
    assert.equal(added.code ?? 0, 0, added.stderr);
    const match = /^Client "Lab analyzer gateway" for hospital h1 \(scope fhir, role device\)\.\nThe secret is shown once; only its hash is kept:\nclient_id=(lab-analyzer-gateway-[0-9a-f]{8})\nclient_secret=(ncs_[A-Za-z0-9_-]{43})\n$/.exec(added.stdout);
    assert.ok(match, added.stdout);
    const [, clientId, clientSecret] = match;

    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const body = await res.json() as { access_token: string };
    assert.equal(res.status, 200);
    assert.equal((await new TokenVerifier(app, 0).verify(body.access_token))?.principal, `client:${clientId}`);

    const listed = await nirantar('client', 'list');
    assert.equal(listed.stdout, `${clientId}\tfhir\tdevice\tactive\tLab analyzer gateway\n1 client(s) in hospital h1\n`);

    const disabled = await nirantar('client', 'disable', '--id', clientId);
    assert.equal(disabled.stdout, `Disabled client ${clientId} (hospital h1); revoked 1 access token(s) it held\n`);
    assert.equal(await new TokenVerifier(app, 0).verify(body.access_token), null);
    assert.match((await nirantar('client', 'list')).stdout, new RegExp(`^${clientId}\\tfhir\\tdevice\\tdisabled \\d{4}-[^\\t]+Z\\tLab analyzer gateway\\n`));
    const missing = await nirantar('client', 'disable', '--id', 'no-such-client');
    assert.deepEqual([missing.code, missing.stderr], [1, 'nirantar client: no client "no-such-client" in hospital h1\n']);

    const replication = await nirantar('client', 'add', '--name', 'DR vault', '--scope', 'replication');
    assert.match(replication.stdout, /^Client "DR vault" for hospital h1 \(scope replication\)\./);
  });

  test('bootstrap-token --status says active, --revoke turns it off, and it stops verifying', async () => {
    assert.equal((await nirantar('bootstrap-token', '--status')).stdout, 'Hospital h1 has no bootstrap token.\n');
    await ensureBootstrapToken(app, 'h1', BOOTSTRAP);
    const active = await nirantar('bootstrap-token', '--status');
    assert.deepEqual([active.code ?? 0, active.stdout],
      [0, 'The bootstrap token of hospital h1 is ACTIVE (full access); revoke it once the first admin exists.\n']);
    assert.equal((await new TokenVerifier(app, 0).verify(BOOTSTRAP))?.role, 'bootstrap');

    const revoked = await nirantar('bootstrap-token', '--revoke');
    assert.equal(revoked.stdout, 'Revoked the bootstrap token of hospital h1: it no longer opens anything.\n');
    assert.equal(await new TokenVerifier(app, 0).verify(BOOTSTRAP), null);
    const status = await nirantar('bootstrap-token', '--status');
    assert.equal(status.code, 1);
    assert.match(status.stdout, /^The bootstrap token of hospital h1 is revoked \(since \d{4}-\d\d-\d\dT[\d:.]+Z\)\.\n$/);
    assert.equal((await nirantar('bootstrap-token', '--revoke')).stdout, 'The bootstrap token of hospital h1 was not active; nothing to revoke.\n');
    // Starting the server again with the same NIRANTAR_BOOTSTRAP_TOKEN does not bring it back.
    await ensureBootstrapToken(app, 'h1', BOOTSTRAP);
    assert.equal(await new TokenVerifier(app, 0).verify(BOOTSTRAP), null);
  });
});
