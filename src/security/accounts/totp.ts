/**
 * TOTP (RFC 6238): HOTP (RFC 4226) over the count of 30-second steps since the epoch. Authenticator
 * apps use SHA-1 and 6 digits; the other algorithms and 8 digits exist for the RFC's test vectors.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Encode } from './base32.js';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

export function totpStep(nowMs: number, periodSeconds = TOTP_PERIOD_SECONDS): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The code for one step (RFC 4226 section 5.3: dynamic truncation, then modulo 10^digits). */
export function totpCode(secret: Uint8Array, step: number, digits = TOTP_DIGITS, algorithm: TotpAlgorithm = 'sha1'): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(algorithm, secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The step whose code `code` is, within ±`window` steps of now and after `lastUsedStep`, or null.
 * Refusing steps at or before the last accepted one means a code cannot be replayed (someone who
 * watched it typed has up to a minute otherwise), nor can an older one follow a newer one.
 */
export function matchTotp(
  secret: Uint8Array, code: string, nowMs: number, options: { window: number; lastUsedStep: number | null },
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStep(nowMs);
  let matched: number | null = null;
  // Check every step in the window (no early exit), so the time taken does not depend on which matched.
  for (let step = current - options.window; step <= current + options.window; step++) {
    const same = timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code));
    if (same && matched === null && (options.lastUsedStep === null || step > options.lastUsedStep)) matched = step;
  }
  return matched;
}

/** A new secret: 160 bits, the HMAC-SHA1 block the RFC recommends. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The otpauth:// URI an authenticator app scans (as a QR code) or takes pasted. */
export function otpauthUri(secret: Uint8Array, issuer: string, accountName: string): string {
  const label = encodeURIComponent(`${issuer}:${accountName}`);
  const params = new URLSearchParams({
    secret: base32Encode(secret), issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
