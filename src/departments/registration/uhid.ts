/**
 * The UHID (Unique Health ID) a patient carries on the card and says at every desk: a serial number
 * and a Verhoeff check digit, written in three groups of four so that it can be read out and typed
 * back: `1000-0012-3456`.
 *
 * - The serial has 11 digits and the counter starts at 10^10, so every UHID is 12 digits and begins
 *   with 1: no leading zeros for a spreadsheet to eat, and 90 billion numbers before it grows.
 * - Verhoeff, not Luhn: it catches every single-digit error and every transposition of adjacent
 *   digits (Luhn misses 09 <-> 90), which are most of what a hurried clerk gets wrong.
 *
 * Pure TypeScript with no Node imports: the browser app imports this same file to check a UHID at the
 * desk and to issue UHIDs from its block while the server is unreachable.
 */

/** The identifier system of the UHID on Patient.identifier (the seed's systems.ts names it too). */
export const UHID_SYSTEM = 'https://nirantar.health/uhid';

/** First serial the counter hands out, and one past the last a 12-digit UHID can hold. */
export const FIRST_SERIAL = 10_000_000_000;
export const SERIAL_LIMIT = 100_000_000_000;

const SERIAL_DIGITS = 11;

// Verhoeff's tables: d is the multiplication table of the dihedral group D5, p the position
// permutations, inv the inverses (Verhoeff 1969; as published, e.g. Wikipedia "Verhoeff algorithm").
const D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/** The Verhoeff check digit to append to `digits` (a string of decimal digits). */
export function verhoeffCheckDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new Error(`verhoeffCheckDigit: "${digits}" is not a string of digits`);
  let c = 0;
  // Right to left; position 0 is the check digit still to come, so the payload starts at 1.
  for (let i = 0; i < digits.length; i++) c = D[c][P[(i + 1) % 8][Number(digits[digits.length - 1 - i])]];
  return String(INV[c]);
}

/** True when the last digit of `digits` is the Verhoeff check digit of the rest. */
export function verhoeffValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let c = 0;
  for (let i = 0; i < digits.length; i++) c = D[c][P[i % 8][Number(digits[digits.length - 1 - i])]];
  return c === 0;
}

/** The UHID of `serial`, grouped for people: `uhidOf(10000012345)` is `1000-0012-3456`. */
export function uhidOf(serial: number): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= SERIAL_LIMIT) {
    throw new RangeError(`a UHID serial is a whole number from 0 to ${SERIAL_LIMIT - 1}, not ${serial}`);
  }
  const payload = String(serial).padStart(SERIAL_DIGITS, '0');
  const digits = payload + verhoeffCheckDigit(payload);
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8)}`;
}

/**
 * Reads a UHID as typed or scanned: with or without the hyphens, spaces or dots between groups. An
 * error says what is wrong in words the clerk can act on.
 */
export function parseUhid(text: string): { serial: number } | { error: string } {
  const compact = String(text).trim().replace(/[\s.\-–]/g, '');
  if (compact.length === 0) return { error: 'the UHID is empty' };
  const stray = /\D/.exec(compact);
  if (stray) return { error: `a UHID has only digits, but this one has "${stray[0]}"` };
  const expected = SERIAL_DIGITS + 1;
  if (compact.length !== expected) {
    return { error: `a UHID has ${expected} digits, but this one has ${compact.length}: a digit is ${compact.length < expected ? 'missing' : 'extra'}` };
  }
  if (!verhoeffValid(compact)) {
    return { error: 'the check digit (the last one) does not fit: a digit is mistyped or two digits are swapped' };
  }
  return { serial: Number(compact.slice(0, SERIAL_DIGITS)) };
}

/** The canonical (grouped) form of a valid UHID, or undefined. */
export function canonicalUhid(text: string): string | undefined {
  const parsed = parseUhid(text);
  return 'serial' in parsed ? uhidOf(parsed.serial) : undefined;
}
