/**
 * HL7 v2 encoding characters (MSH-1, MSH-2) and escape sequences (v2.5.1 chapter 2.7).
 * A sender may declare any delimiters it likes in MSH; everything downstream reads them from here,
 * never from literals, so an analyzer with `MSH#*!@%` parses like one with `MSH|^~\&`.
 */
export interface Hl7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+ truncation character (5th character of MSH-2), when declared. */
  readonly truncation?: string;
}

export const DEFAULT_DELIMITERS: Hl7Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** MSH-2 as written on the wire. */
export function encodingCharacters(d: Hl7Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

/**
 * Reads the delimiters from the start of an MSH segment ("MSH|^~\&|..."). Returns a reason when they
 * are unusable: a delimiter that is a letter, digit, space or line break, or two delimiters that are the
 * same character, would make every later split ambiguous.
 */
export function readDelimiters(msh: string): Hl7Delimiters | { error: string } {
  const field = msh.charAt(3);
  if (!isDelimiterChar(field)) return { error: 'MSH-1 field separator is missing or invalid' };
  const end = msh.indexOf(field, 4);
  const declared = end < 0 ? msh.slice(4) : msh.slice(4, end);
  if (declared.length < 1 || declared.length > 5) return { error: `MSH-2 encoding characters "${declared}" must be 1 to 5 characters` };
  const chars = [...declared];
  if (!chars.every(isDelimiterChar)) return { error: 'MSH-2 contains a letter, digit or space' };
  if (new Set([field, ...chars]).size !== chars.length + 1) return { error: 'MSH-1/MSH-2 delimiters are not distinct' };
  // A missing repetition/escape/subcomponent character means that level simply does not exist in
  // this message; '\u0000' never occurs in text, so splitting on it is a no-op.
  return {
    field,
    component: chars[0],
    repetition: chars[1] ?? '\u0000',
    escape: chars[2] ?? '\u0000',
    subcomponent: chars[3] ?? '\u0000',
    truncation: chars[4],
  };
}

function isDelimiterChar(c: string): boolean {
  return c.length === 1 && !/[A-Za-z0-9\s]/.test(c);
}

/** Escapes text so it can be placed in a field (used for ACK reasons and generated orders). */
export function escapeHl7(text: string, d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  const e = d.escape;
  let out = '';
  for (const c of text) {
    if (c === e) out += `${e}E${e}`;
    else if (c === d.field) out += `${e}F${e}`;
    else if (c === d.component) out += `${e}S${e}`;
    else if (c === d.subcomponent) out += `${e}T${e}`;
    else if (c === d.repetition) out += `${e}R${e}`;
    else if (d.truncation && c === d.truncation) out += `${e}P${e}`;
    else if (c === '\r' || c === '\n') out += `${e}.br${e}`;
    else out += c;
  }
  return out;
}

/**
 * Resolves \F\ \S\ \T\ \R\ \E\ (\P\) and \Xhh..\ in one leaf value. Formatting and character-set
 * escapes (\.br\, \H\, \Cxxyy\ ...) are kept verbatim: they carry meaning for display, not for data,
 * and dropping them would silently change a report's text. An unterminated escape is kept as is.
 */
export function unescapeHl7(value: string, d: Hl7Delimiters): string {
  const e = d.escape;
  if (e === '\u0000' || !value.includes(e)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c !== e) { out += c; i++; continue; }
    const close = value.indexOf(e, i + 1);
    if (close < 0) { out += value.slice(i); break; }
    const seq = value.slice(i + 1, close);
    const resolved = resolveEscape(seq, d);
    out += resolved ?? value.slice(i, close + 1);
    i = close + 1;
  }
  return out;
}

function resolveEscape(seq: string, d: Hl7Delimiters): string | undefined {
  switch (seq) {
    case 'F': return d.field;
    case 'S': return d.component;
    case 'T': return d.subcomponent;
    case 'R': return d.repetition;
    case 'E': return d.escape;
    case 'P': return d.truncation;
  }
  if (/^X([0-9A-Fa-f]{2})+$/.test(seq)) return Buffer.from(seq.slice(1), 'hex').toString('latin1');
  return undefined;
}
