/**
 * `npm test`: runs the whole suite against a real PostgreSQL. Without DATABASE_URL it starts the
 * embedded PostgreSQL in a temporary directory (what a fresh machine has); with DATABASE_URL it uses
 * that server. Each test file creates and drops its own database on it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'support' || name === 'fixtures' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = testFiles('test').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let dataDir: string | undefined;
let adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  dataDir = mkdtempSync(join(tmpdir(), 'nirantar-test-pg-'));
  embedded = await startEmbeddedPostgres(dataDir);
  adminUrl = embedded.adminUrl;
  console.log(`test database: embedded PostgreSQL in ${dataDir}`);
} else {
  console.log('test database: external PostgreSQL from DATABASE_URL');
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NIRANTAR_TEST_ADMIN_URL: adminUrl },
});
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await embedded?.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
