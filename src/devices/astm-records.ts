/**
 * ASTM E1394 / CLSI LIS2-A2 records. The H record declares the delimiters right after its type:
 * "H|\^&" = field |, repeat \, component ^, escape &. Records are separated by CR; fields by the field
 * delimiter; a field may repeat and each repeat has components. Escapes (&F& &S& &R& &E&, &Xhh&) are
 * resolved, so values never contain delimiters.
 */
export interface AstmDelimiters {
  readonly field: string;
  readonly repeat: string;
  readonly component: string;
  readonly escape: string;
}

export const DEFAULT_ASTM_DELIMITERS: AstmDelimiters = { field: '|', repeat: '\\', component: '^', escape: '&' };

/** Repeats of one field, each a list of components. */
export type AstmField = readonly (readonly string[])[];

export interface AstmRecord {
  /** Record type letter: H P O R C Q M L (S, or a manufacturer letter, kept as is). */
  readonly type: string;
  /** fields[n] is field n (fields[1] is the type; for H, fields[2] is the delimiter definition, unsplit). */
  readonly fields: readonly AstmField[];
}

/**
 * Delimiters from an H record. Some senders double a character in the definition ("H|\\^&", an
 * escaping slip); distinct characters are taken in order so such a header still reads as \ ^ &.
 */
export function readAstmDelimiters(header: string): AstmDelimiters | undefined {
  if (!header.startsWith('H') || header.length < 5) return undefined;
  const field = header.charAt(1);
  const end = header.indexOf(field, 2);
  const defined = [...new Set(header.slice(2, end < 0 ? undefined : end))].filter((c) => c !== field);
  if (defined.length < 3 || /[A-Za-z0-9 ]/.test(field + defined.join(''))) return undefined;
  return { field, repeat: defined[0], component: defined[1], escape: defined[2] };
}

export function parseAstmRecord(text: string, d: AstmDelimiters): AstmRecord {
  const raw = text.split(d.field);
  const type = (raw[0] ?? '').trim().toUpperCase();
  const fields: AstmField[] = [[], [[type]]];
  for (let i = 1; i < raw.length; i++) {
    if (type === 'H' && i === 1) { fields.push([[raw[1]]]); continue; }
    fields.push(raw[i] === '' ? [] : raw[i].split(d.repeat).map((rep) => rep.split(d.component).map((c) => unescapeAstm(c, d))));
  }
  return { type, fields };
}

/** One value: field, component, repeat (1-based); '' when absent. Not trimmed: sender padding is kept. */
export function astmValue(record: AstmRecord, field: number, component = 1, repeat = 1): string {
  return record.fields[field]?.[repeat - 1]?.[component - 1] ?? '';
}

/** The components of one repeat of a field. */
export function astmComponents(record: AstmRecord, field: number, repeat = 1): readonly string[] {
  return record.fields[field]?.[repeat - 1] ?? [];
}

export function astmRepeatCount(record: AstmRecord, field: number): number {
  return record.fields[field]?.length ?? 0;
}

export function unescapeAstm(value: string, d: AstmDelimiters): string {
  const e = d.escape;
  if (!value.includes(e)) return value;
  return value.replace(new RegExp(`${escapeRe(e)}([FSRE]|X[0-9A-Fa-f]+)${escapeRe(e)}`, 'g'), (_m, seq: string) => {
    switch (seq) {
      case 'F': return d.field;
      case 'S': return d.component;
      case 'R': return d.repeat;
      case 'E': return d.escape;
      default: return seq.length % 2 === 1 ? Buffer.from(seq.slice(1), 'hex').toString('latin1') : _m;
    }
  });
}

/** Escapes text for an outgoing field. */
export function escapeAstm(value: string, d: AstmDelimiters = DEFAULT_ASTM_DELIMITERS): string {
  let out = '';
  for (const c of value) {
    if (c === d.escape) out += `${d.escape}E${d.escape}`;
    else if (c === d.field) out += `${d.escape}F${d.escape}`;
    else if (c === d.component) out += `${d.escape}S${d.escape}`;
    else if (c === d.repeat) out += `${d.escape}R${d.escape}`;
    else if (c === '\r' || c === '\n') out += ' ';
    else out += c;
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
