/**
 * FHIR search values use ',' for OR and '|' between system and code, with '\' escaping either
 * (search.html#escaping). Splitting keeps escapes of other separators intact for the next split;
 * `unescapeSearchValue` removes them from a final part.
 */

export function splitSearchValue(value: string, separator: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[++i];
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

export function unescapeSearchValue(part: string): string {
  return part.replace(/\\([\\,|$])/g, '$1');
}
