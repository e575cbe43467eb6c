/**
 * Password hashes: argon2id (RFC 9106) in the PHC string format, which carries its own salt and
 * parameters, so they can be raised later and old hashes still verify (and are upgraded at the
 * next successful sign-in, see `needsRehash`).
 *
 * Parameters: 64 MiB, 3 passes, 1 lane. Measured on the 2-core reference server with
 * @node-rs/argon2 2.2.1: about 70 ms per hash or verify (median of 20). One lane because a login
 * should occupy one core, not both; the memory is what makes GPU guessing expensive.
 */
import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';

// The package declares Algorithm as a `const enum`, which does not exist at run time under
// isolated-module compilers (tsx/esbuild): spell its value. 2 = Argon2id.
const ARGON2ID = 2 as Algorithm;

export const PASSWORD_HASH_PARAMETERS = { memoryCost: 65536, timeCost: 3, parallelism: 1 } as const;
const OPTIONS: Options = { ...PASSWORD_HASH_PARAMETERS, algorithm: ARGON2ID };

/** Passwords longer than this are refused before hashing: no one types them, and they cost nothing to send. */
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a malformed stored hash alike (never throws on bad input). */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Whether a stored hash was made with other parameters than today's (so it should be redone). */
export function needsRehash(storedHash: string): boolean {
  try {
    const p = parseOptions(storedHash);
    return p.algorithm !== ARGON2ID || p.memoryCost !== OPTIONS.memoryCost || p.timeCost !== OPTIONS.timeCost || p.parallelism !== OPTIONS.parallelism;
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as verifying a real password, for a username that does not exist (or a
 * refused account): the answer's timing must not tell an attacker which usernames are real.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  await verifyPassword(await dummy, password);
  return false;
}
