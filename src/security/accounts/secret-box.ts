/**
 * Encryption of TOTP secrets at rest (AES-256-GCM). Unlike a password, a TOTP secret cannot be
 * hashed: the server needs it back to compute codes. Stored in clear, a copy of the database (a
 * stolen backup, a dump taken during an intrusion) would hand over the second factor of every admin
 * and auditor. Encrypted, it takes the database *and* the key, which lives outside it (environment
 * or a file beside the data directory, see secret-key.ts).
 *
 * The ciphertext is bound to its hospital and account (GCM additional data): copying one account's
 * secret onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export function sealSecret(key: Buffer, plaintext: Buffer, binding: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The plaintext, or an error when the key, the binding or the sealed text is wrong. */
export function openSecret(key: Buffer, sealed: string, binding: string): Buffer {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !ciphertext || !tag) throw new Error('sealed secret has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(binding));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

export function totpBinding(hospitalId: string, userId: string): string {
  return `totp:${hospitalId}:${userId}`;
}
