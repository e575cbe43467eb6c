/**
 * SCRAM-SHA-256 verifier (RFC 5802, RFC 7677) in the form PostgreSQL stores in pg_authid.
 * Setting a role's password with a verifier instead of the clear text keeps the password out of the
 * server's statement log and pg_stat_statements: PostgreSQL never sees it, only proofs of it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default iteration count (scram_iterations). */
const ITERATIONS = 4096;

export function scramSha256Verifier(password: string): string {
  // PostgreSQL runs SASLprep on the password; for printable ASCII that is the identity, so the
  // verifier computed here matches. Our passwords are generated ASCII; refuse anything else.
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error('scramSha256Verifier: password must be printable ASCII');
  const salt = randomBytes(16);
  const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
