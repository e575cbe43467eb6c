/**
 * Accession numbers: the barcode on a tube. YYMMDD (the India date it was issued) + a 4-digit
 * sequence of the day + a Verhoeff check digit, e.g. 26112700012 (27 Nov 2026, the first tube,
 * check digit 2). Eleven digits, all numeric, so any scanner and any analyzer host field takes it;
 * the date makes a label readable at a glance and restarts the counter each day; the check digit
 * catches a mistyped digit or two swapped ones when a barcode will not scan and someone types it.
 *
 * Specimens are named by their accession (Specimen/lab-specimen-<accession>), so the last number of
 * a day is the last id with that day's prefix: allocation reads it under the ledger's chain lock.
 */
import { verhoeffCheckDigit, verhoeffValid } from '../registration/uhid.js';
import { indiaDate } from '../opd/india-time.js';

export const DAILY_LIMIT = 9999;
const SPECIMEN_ID_PREFIX = 'lab-specimen-';

/** 261127 for an instant on 27 Nov 2026 in India. */
export function accessionDay(instant: string | Date): string {
  return indiaDate(instant).slice(2).replace(/-/g, '');
}

/** The accession of the `sequence`th tube (1-based) of the day `day` (YYMMDD). */
export function accessionOf(day: string, sequence: number): string {
  if (!/^\d{6}$/.test(day)) throw new RangeError(`an accession day is YYMMDD, not "${day}"`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > DAILY_LIMIT) throw new RangeError(`an accession sequence is 1-${DAILY_LIMIT}, not ${sequence}`);
  const payload = `${day}${String(sequence).padStart(4, '0')}`;
  return payload + verhoeffCheckDigit(payload);
}

/** The day and sequence of a well-formed accession, or undefined (wrong length, digits, check digit). */
export function parseAccession(text: string): { day: string; sequence: number } | undefined {
  const compact = String(text).trim();
  if (!/^\d{11}$/.test(compact) || !verhoeffValid(compact)) return undefined;
  return { day: compact.slice(0, 6), sequence: Number(compact.slice(6, 10)) };
}

export const specimenIdOf = (accession: string) => `${SPECIMEN_ID_PREFIX}${accession}`;
/** Every specimen id of a day starts with this; fixed-width sequences keep id order = issue order. */
export const specimenDayPrefix = (day: string) => `${SPECIMEN_ID_PREFIX}${day}`;
/** The accession in a specimen id this module made, or undefined. */
export const accessionInId = (id: string) => (id.startsWith(SPECIMEN_ID_PREFIX) ? id.slice(SPECIMEN_ID_PREFIX.length) : undefined);
