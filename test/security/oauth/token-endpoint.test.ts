/**
 * POST /oauth/token (client credentials, RFC 6749 §4.4) over real HTTP: a Fastify app with the
 * plugin on a real port, over a throwaway database reached through the application's role, the
 * clients added as `nirantar client add` adds them (owner's connection), and the issued access
 * tokens checked with the API's own TokenVerifier.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { TokenVerifier, hashToken } from '../../../src/security/api-tokens.js';
import { addClient, disableClient, listClients } from '../../../src/security/oauth/oauth-clients.js';
import { oauthPlugin } from '../../../src/security/oauth/oauth-plugin.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

interface Answer { status: number; headers: Headers; body: any; ms: number }

describe('OAuth2 client credentials token endpoint', () => {
  let db: AppDatabase;
  let server: FastifyInstance;
  let base: string;
  let offset = 0; // the endpoint's clock is real time plus this
  let gateway: { clientId: string; clientSecret: string };
  let vault: { clientId: string; clientSecret: string };
  const verifier = () => new TokenVerifier(db.app, 0);

  async function token(body: string, headers: Record<string, string> = {}): Promise<Answer> {
    const started = performance.now();
    const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { ...FORM, ...headers }, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
  }

  before(async () => {
    db = await openAppDatabase({ hospitalId: 'h1', appPoolSize: 4 });
    gateway = await addClient(db.admin, { hospitalId: 'h1', name: 'Lab analyzer gateway', role: 'device', scope: 'fhir' });
    vault = await addClient(db.admin, { hospitalId: 'h1', name: 'DR vault', role: null, scope: 'replication' });
    server = Fastify({ logger: false });
    await server.register(oauthPlugin, { prefix: '/oauth', db: db.app, hospitalId: 'h1', now: () => Date.now() + offset });
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await server?.close();
    await db?.close();
  });

  test('clients get readable ids and a secret kept only as an argon2id hash; the app cannot add or change clients', async () => {
    assert.match(gateway.clientId, /^lab-analyzer-gateway-[0-9a-f]{8}$/);
    assert.match(gateway.clientSecret, /^ncs_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.admin.query('SELECT secret_hash FROM oauth_client WHERE client_id = $1', [gateway.clientId]);
    assert.match(row.secret_hash, /^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
    assert.ok(!row.secret_hash.includes(gateway.clientSecret));
    assert.deepEqual((await listClients(db.app, 'h1')).map((c) => [c.clientId, c.role, c.scope, c.disabledAt]),
      [[gateway.clientId, 'device', 'fhir', null], [vault.clientId, null, 'replication', null]]);
    await assert.rejects(db.app.query(`UPDATE oauth_client SET role = 'admin'`), /permission denied for table oauth_client/);
    await assert.rejects(addClient(db.app, { hospitalId: 'h1', name: 'x', role: 'admin', scope: 'fhir' }), /permission denied for table oauth_client/);
  });

  test('HTTP Basic: 200 with a bearer token of the client\'s role and scope that expires in an hour, never cached', async () => {
    const before = Date.now();
    const answer = await token('grant_type=client_credentials', { authorization: basic(gateway.clientId, gateway.clientSecret) });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('pragma'), 'no-cache');
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    assert.deepEqual(Object.keys(answer.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.deepEqual({ ...answer.body, access_token: undefined }, { access_token: undefined, token_type: 'Bearer', expires_in: 3600, scope: 'fhir' });
    assert.match(answer.body.access_token, /^nrt_[A-Za-z0-9_-]{43}$/);

    const [row] = await db.admin.query('SELECT name, principal, scope, role, expires_at, revoked_at FROM api_token WHERE token_hash = $1', [hashToken(answer.body.access_token)]);
    assert.equal(row.name, `oauth:${gateway.clientId}`);
    assert.equal(row.principal, `client:${gateway.clientId}`);
    assert.deepEqual([row.scope, row.role, row.revoked_at], ['fhir', 'device', null]);
    const expiresIn = row.expires_at.getTime() - before;
    assert.ok(expiresIn >= 3600_000 && expiresIn < 3600_000 + 5000, `expires ${expiresIn} ms after the request`);

    assert.deepEqual(await verifier().verify(answer.body.access_token), {
      hospitalId: 'h1', principal: `client:${gateway.clientId}`, scope: 'fhir', role: 'device', kind: 'token', department: null, ward: null,
    });
  });

  test('client_id and client_secret in the body work too, and the scope may be asked for', async () => {
    const answer = await token(new URLSearchParams({ grant_type: 'client_credentials', client_id: gateway.clientId, client_secret: gateway.clientSecret, scope: 'fhir' }).toString());
    assert.equal(answer.status, 200);
    assert.equal(answer.body.scope, 'fhir');
  });

  test('a replication client gets a replication token with no role', async () => {
    const answer = await token('grant_type=client_credentials&scope=replication', { authorization: basic(vault.clientId, vault.clientSecret) });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.scope, 'replication');
    const principal = await verifier().verify(answer.body.access_token);
    assert.deepEqual([principal?.principal, principal?.scope, principal?.role], [`client:${vault.clientId}`, 'replication', null]);
  });

  test('an access token stops verifying once it expires', async () => {
    offset = -3599_000; // issued 59 min 59 s ago: 1 s left
    const answer = await token('grant_type=client_credentials', { authorization: basic(gateway.clientId, gateway.clientSecret) });
    offset = 0;
    assert.equal(answer.status, 200);
    const cached = new TokenVerifier(db.app, 60_000);
    assert.equal((await cached.verify(answer.body.access_token))?.role, 'device');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await cached.verify(answer.body.access_token), null, 'not even from the cache');
    offset = -3601_000;
    const stale = await token('grant_type=client_credentials', { authorization: basic(gateway.clientId, gateway.clientSecret) });
    offset = 0;
    assert.equal(await verifier().verify(stale.body.access_token), null);
  });

  test('wrong secret and unknown client get the same 401 invalid_client with WWW-Authenticate, in similar time', async () => {
    const wrong = await token('grant_type=client_credentials', { authorization: basic(gateway.clientId, 'ncs_not-the-secret') });
    const unknown = await token('grant_type=client_credentials', { authorization: basic('no-such-client', 'ncs_not-the-secret') });
    const none = await token('grant_type=client_credentials');
    for (const answer of [wrong, unknown, none]) {
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, { error: 'invalid_client', error_description: 'client authentication failed' });
      assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="nirantar", charset="UTF-8"');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
    }
    // Both spend an argon2id verification (~70 ms); an unknown client is not answered early.
    assert.ok(unknown.ms > wrong.ms * 0.4, `unknown client ${unknown.ms.toFixed(0)} ms, wrong secret ${wrong.ms.toFixed(0)} ms`);
  });

  test('malformed requests are refused with the RFC 6749 §5.2 error that names the problem', async () => {
    const auth = { authorization: basic(gateway.clientId, gateway.clientSecret) };
    assert.deepEqual((await token('grant_type=password&username=a&password=b', auth)).body,
      { error: 'unsupported_grant_type', error_description: 'only grant_type=client_credentials is supported' });
    assert.deepEqual((await token('', auth)).body, { error: 'invalid_request', error_description: 'grant_type is required' });
    assert.deepEqual((await token('grant_type=client_credentials&grant_type=client_credentials', auth)).body,
      { error: 'invalid_request', error_description: 'the parameter "grant_type" is given more than once' });
    const both = await token(`grant_type=client_credentials&client_id=${gateway.clientId}&client_secret=${gateway.clientSecret}`, auth);
    assert.equal(both.status, 400);
    assert.equal(both.body.error, 'invalid_request');
    const scope = await token('grant_type=client_credentials&scope=replication', auth);
    assert.deepEqual([scope.status, scope.body], [400, { error: 'invalid_scope', error_description: 'this client may ask only for scope "fhir"' }]);
    const json = await token(JSON.stringify({ grant_type: 'client_credentials' }), { ...auth, 'content-type': 'application/json' });
    assert.deepEqual([json.status, json.body.error], [400, 'invalid_request']);
    const huge = await token(`grant_type=client_credentials&x=${'a'.repeat(10_000)}`, auth);
    assert.deepEqual([huge.status, huge.body.error], [400, 'invalid_request']);
    const get = await fetch(`${base}/oauth/token`);
    assert.equal(get.status, 404);
  });

  test('repeated failures lock the client out from that address with backoff; the right secret then waits too', async () => {
    const intruder = await addClient(db.admin, { hospitalId: 'h1', name: 'Billing integration', role: 'billing-clerk', scope: 'fhir' });
    const wrong = { authorization: basic(intruder.clientId, 'ncs_guess') };
    const right = { authorization: basic(intruder.clientId, intruder.clientSecret) };
    for (let i = 1; i <= 5; i++) assert.equal((await token('grant_type=client_credentials', wrong)).status, 401, `attempt ${i}`);
    const locked = await token('grant_type=client_credentials', right);
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '60');
    assert.deepEqual(locked.body, { error: 'invalid_client', error_description: 'too many failed client authentications; try again in 60 seconds' });
    offset = 60_000;
    assert.equal((await token('grant_type=client_credentials', right)).status, 200, 'the lock ends after a minute');
    assert.equal((await token('grant_type=client_credentials', wrong)).status, 401, 'and success reset the count');
    // Unknown clients are throttled the same way, so the lock tells no client ids.
    for (let i = 1; i <= 5; i++) await token('grant_type=client_credentials', { authorization: basic('ghost-client', 'x') });
    assert.equal((await token('grant_type=client_credentials', { authorization: basic('ghost-client', 'x') })).status, 429);
    offset = 0;
  });

  test('a disabled client is refused and the tokens it held are revoked', async () => {
    const client = await addClient(db.admin, { hospitalId: 'h1', name: 'Old PACS bridge', role: 'doctor', scope: 'fhir' });
    const auth = { authorization: basic(client.clientId, client.clientSecret) };
    const issued = await token('grant_type=client_credentials', auth);
    assert.equal((await verifier().verify(issued.body.access_token))?.role, 'doctor');
    assert.equal(await disableClient(db.admin, 'h1', client.clientId), 1);
    assert.equal(await verifier().verify(issued.body.access_token), null);
    const refused = await token('grant_type=client_credentials', auth);
    assert.deepEqual([refused.status, refused.body], [401, { error: 'invalid_client', error_description: 'this client is disabled' }]);
    assert.equal(await disableClient(db.admin, 'h1', 'no-such-client'), undefined);
  });
});
