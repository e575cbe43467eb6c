/**
 * Turns OBX-2/OBX-5 into a value the lab can use: text as sent, a number when there is one, a coded
 * answer for CWE/CE, and issues for the review queue when the type and the content disagree.
 */
import type { CodedValue } from './lab-device-types.js';

export interface InterpretedValue {
  readonly value: string;
  readonly values: string[];
  readonly numericValue?: number;
  readonly codedValue?: CodedValue;
  readonly issues: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A plain decimal number, else undefined ("1,5", "12 mg", ">10" are not numbers). */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

export function interpretObxValue(valueType: string, repetitions: readonly (readonly string[])[], status?: string): InterpretedValue {
  const issues: string[] = [];
  const coded = valueType === 'CWE' || valueType === 'CE' || valueType === 'CNE';
  const values = repetitions.map((components) => renderValue(valueType, components));
  const nonEmpty = values.filter((v) => v !== '');
  let numericValue: number | undefined;
  let codedValue: CodedValue | undefined;

  if (valueType === 'NM') {
    if (nonEmpty.length > 1) issues.push(`OBX-5 repeats (${nonEmpty.length} values) for value type NM`);
    const n = nonEmpty.length === 1 ? parseDecimal(nonEmpty[0]) : undefined;
    if (nonEmpty.length === 1 && n === undefined) issues.push('OBX-5 is not a number for value type NM');
    numericValue = n;
  } else if (valueType === 'SN') {
    const c = repetitions[0] ?? [];
    // SN = comparator ^ num1 ^ separator/suffix ^ num2; only "=" or no comparator with one number is a plain number.
    if ((c[0] ?? '') === '' || c[0] === '=') {
      if (!(c[2] ?? '') && !(c[3] ?? '')) numericValue = parseDecimal(c[1] ?? '');
    }
  } else if (coded && repetitions[0]) {
    const c = repetitions[0];
    codedValue = { code: (c[0] ?? '').trim(), text: (c[1] ?? '').trim() || undefined, system: (c[2] ?? '').trim() || undefined, components: c };
  } else if (!valueType && nonEmpty.length > 0) {
    issues.push('OBX-2 value type is empty but OBX-5 has a value');
  }
  if (nonEmpty.length === 0 && (status === 'F' || status === 'C')) issues.push(`OBX-11 is ${status} but OBX-5 is empty`);
  return { value: nonEmpty.join('~'), values: nonEmpty, numericValue, codedValue, issues };
}

function renderValue(valueType: string, components: readonly string[]): string {
  const c = components.map((x) => x ?? '');
  switch (valueType) {
    case 'SN':
      return c.slice(0, 4).join('').trim();
    case 'CWE': case 'CE': case 'CNE':
      return (c[1] || c[0] || '').trim();
    case 'NM': case 'ST': case 'TX': case 'FT': case 'ID': case 'IS': case 'DT': case 'TM': case 'DTM': case 'TS':
      return (c[0] ?? '').trim();
    default:
      // ED, RP and anything else: keep every component (an ED's data is in its 5th) exactly as sent.
      return c.join('^').replace(/\^+$/, '');
  }
}
