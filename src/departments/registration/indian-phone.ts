/**
 * Indian mobile numbers as desks write them: 98765 43210, 098765-43210, +91 98765 43210. Stored one
 * way, +91XXXXXXXXXX (E.164), so that the phone search finds a patient however the number was typed.
 * No Node imports: the browser app checks the number at the desk with this same file.
 */

/** `+91XXXXXXXXXX`, or an error saying what is wrong with the number. */
export function parseIndianMobile(text: string): { phone: string } | { error: string } {
  const compact = String(text).trim().replace(/[\s\-().]/g, '');
  const m = /^(?:\+91|0091|91(?=\d{10}$)|0)?(\d+)$/.exec(compact);
  if (!m) return { error: `a mobile number has only digits (and an optional +91), not "${text}"` };
  const digits = m[1];
  if (digits.length !== 10) return { error: `a mobile number has 10 digits after +91, but this one has ${digits.length}` };
  if (!/^[6-9]/.test(digits)) return { error: 'an Indian mobile number starts with 6, 7, 8 or 9' };
  return { phone: `+91${digits}` };
}

/** The stored form of `text` when it is a valid Indian mobile number, else the text trimmed. */
export function normalisedPhone(text: string): string {
  const parsed = parseIndianMobile(text);
  return 'phone' in parsed ? parsed.phone : String(text).trim();
}
