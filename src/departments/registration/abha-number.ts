/**
 * The ABHA number (Ayushman Bharat Health Account, the national health ID of ABDM): 14 digits, written
 * xx-xxxx-xxxx-xxxx. The identifier system is the one the ABDM (NDHM) FHIR profiles use for it.
 */
export const ABHA_SYSTEM = 'https://healthid.ndhm.gov.in';

/** The ABHA number in its written form, or an error saying what is wrong. */
export function parseAbhaNumber(text: string): { abha: string } | { error: string } {
  const compact = String(text).trim().replace(/[\s-]/g, '');
  if (!/^\d+$/.test(compact)) return { error: `an ABHA number has only digits, not "${text}"` };
  if (compact.length !== 14) return { error: `an ABHA number has 14 digits, but this one has ${compact.length}` };
  return { abha: `${compact.slice(0, 2)}-${compact.slice(2, 6)}-${compact.slice(6, 10)}-${compact.slice(10)}` };
}
