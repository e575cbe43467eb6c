/**
 * LOINC code format and check digit. A LOINC code is digits, a hyphen and one mod-10 check digit
 * computed with the Luhn algorithm over the digits before the hyphen (e.g. 718-7, 2160-0). The check
 * catches most typing errors in a hand-written catalogue; it cannot tell a real code from an
 * invented one that happens to have a valid check digit.
 */

const LOINC_FORMAT = /^(\d{1,7})-(\d)$/;

/** The Luhn check digit of `body`: from the right, double every other digit starting with the last. */
export function loincCheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new Error(`not a LOINC code body: ${body}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `code` has the LOINC form NNNN-N and its check digit is right. */
export function isValidLoincCode(code: string): boolean {
  const match = LOINC_FORMAT.exec(code);
  if (!match) return false;
  return loincCheckDigit(match[1]) === Number(match[2]);
}
