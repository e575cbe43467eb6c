/**
 * The browser app's static serving on a bare Fastify instance over a made-up build: cache headers,
 * the SPA fallback that never swallows an API path, the Content-Security-Policy, an unbuilt app.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY, webPlugin } from '../../src/web/web-plugin.js';

let dir: string;
let app: FastifyInstance;
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nirantar-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  app = Fastify();
  await app.register(webPlugin, { root: dir, hospital: { id: 'demo', name: 'Demo Hospital' } });
  // Stand-ins for the API plugins, registered as the server registers its own.
  await app.register(async (api) => {
    api.get('/status', async () => ({ ok: true }));
  }, { prefix: '/api' });
});
after(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('/ is index.html, never cached, with a strict Content-Security-Policy', async () => {
  const res = await app.inject({ method: 'GET', url: '/' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, INDEX);
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal((await app.inject({ method: 'HEAD', url: '/' })).statusCode, 200);
});

test('hashed assets are cached for a year; other files are revalidated', async () => {
  const asset = await app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(asset.headers['content-type'] as string, /javascript/);
  const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
  assert.equal(icon.headers['cache-control'], 'no-cache');
});

test('a desk\'s address loads the app; a missing file or an API path does not', async () => {
  for (const url of ['/registration', '/desk/registration?x=1']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.body, INDEX);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
  const missing = await app.inject({ method: 'GET', url: '/assets/index-gone.js' });
  assert.equal(missing.statusCode, 404);
  for (const url of ['/fhir/R4/Nothing', '/api/nothing', '/auth/nothing', '/oauth/x', '/replication/x', '/api']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().resourceType, 'OperationOutcome', url);
    assert.equal(res.headers['content-security-policy'], undefined, `${url} is not the app's`);
  }
  assert.equal((await app.inject({ method: 'POST', url: '/registration' })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/api/status' })).json().ok, true);
});

test('the hospital\'s name is there for the sign-in screen', async () => {
  const res = await app.inject({ method: 'GET', url: '/app-config.json' });
  assert.deepEqual(res.json(), { hospital: { id: 'demo', name: 'Demo Hospital' } });
});

test('an unbuilt app answers 503 with what to do, and the APIs still answer 404', async () => {
  const bare = Fastify();
  await bare.register(webPlugin, { root: join(dir, 'nowhere') });
  const res = await bare.inject({ method: 'GET', url: '/registration' });
  assert.equal(res.statusCode, 503);
  assert.match(res.body, /npm run build/);
  assert.equal((await bare.inject({ method: 'GET', url: '/fhir/R4/x' })).statusCode, 404);
  await bare.close();
});
