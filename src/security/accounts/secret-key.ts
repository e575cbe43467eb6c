/**
 * The key that seals TOTP secrets (secret-box.ts). From NIRANTAR_ACCOUNT_KEY (32 bytes, base64)
 * when set, else from a file that is created with mode 0600 on first use. Keep the file off the
 * database host where they are separate: the point is that a database copy alone is not enough.
 * Losing the key loses only the TOTP enrolments (an admin resets them; passwords are unaffected).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ACCOUNT_KEY_BYTES = 32;

export async function loadAccountSecretKey(options: { fromEnv?: string; file: string }): Promise<Buffer> {
  if (options.fromEnv) return checked(Buffer.from(options.fromEnv, 'base64'), 'NIRANTAR_ACCOUNT_KEY');
  try {
    return checked(Buffer.from((await readFile(options.file, 'utf8')).trim(), 'base64'), options.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(options.file), { recursive: true });
  const key = randomBytes(ACCOUNT_KEY_BYTES);
  // 'wx': never overwrite a key another process created meanwhile (that would orphan its secrets).
  try {
    await writeFile(options.file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadAccountSecretKey(options);
  }
}

function checked(key: Buffer, source: string): Buffer {
  if (key.length !== ACCOUNT_KEY_BYTES) throw new Error(`${source}: the account key must be ${ACCOUNT_KEY_BYTES} bytes, base64`);
  return key;
}
