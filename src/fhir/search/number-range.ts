/**
 * The range a decimal's written precision implies (FHIR search 3.1.1.4.5, search.html#number):
 * "100" means [99.5, 100.5], "100.00" means [99.995, 100.005], "1e2" (one significant figure)
 * means [50, 150]. Computed in scaled integers, so 5.4 gives exactly 5.35 and 5.45, not
 * 5.3500000000000005.
 */

export interface NumberRange {
  /** The value as written. */
  value: number;
  low: number;
  high: number;
}

/**
 * Stand-ins for an unbounded end (a Quantity with comparator '<' has no lower bound). Finite
 * because the index rows travel as JSON (Infinity would become null) and `numeric` keeps them
 * exactly.
 */
export const NUMBER_UNBOUNDED_LOW = -Number.MAX_VALUE;
export const NUMBER_UNBOUNDED_HIGH = Number.MAX_VALUE;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The implied range of a decimal written as `text`, or undefined when it is not a decimal. */
export function numberRange(text: string): NumberRange | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = m;
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 300) return undefined;
  // value = digits * 10^-scale; half of the last written digit is 5 * 10^-(scale + 1).
  let digits = BigInt(whole + fraction);
  if (sign === '-') digits = -digits;
  const scale = fraction.length - exponent;
  const low = decimalString(digits * 10n - 5n, scale + 1);
  const high = decimalString(digits * 10n + 5n, scale + 1);
  return { value: Number(text.trim()), low: Number(low), high: Number(high) };
}

/** `units * 10^-scale` as a decimal string (scale may be negative). */
function decimalString(units: bigint, scale: number): string {
  if (scale <= 0) return (units * 10n ** BigInt(-scale)).toString();
  const negative = units < 0n;
  const text = (negative ? -units : units).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -scale)}.${text.slice(-scale)}`;
}
