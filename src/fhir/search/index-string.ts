/**
 * String search parameter values: a plain string, or the parts of a HumanName or Address. Each
 * part is its own row so that a prefix search finds a given name as well as a family name; `name`
 * also gets the whole name ("given family") so that "anita sha" finds Anita Sharma.
 */
import type { TypedValue } from '@medplum/core';
import type { SearchIndexRow } from './search-index-row.js';
import { normaliseString } from './string-normalise.js';
import { indianNamePhonetic } from './indian-name-phonetic.js';

interface HumanName { text?: string; family?: string; given?: string[]; prefix?: string[]; suffix?: string[] }
interface Address { text?: string; line?: string[]; city?: string; district?: string; state?: string; postalCode?: string; country?: string }
interface CodeableConcept { text?: string; coding?: Array<{ display?: string }> }

export function addStringRows(code: string, typed: TypedValue, rows: SearchIndexRow[], fold: (text: string) => string = normaliseString): void {
  const value = typed.value;
  const addString = (c: string, text: unknown, r: SearchIndexRow[]) => addFolded(c, text, r, fold);
  if (typeof value === 'string') return addString(code, value, rows);
  if (typeof value !== 'object' || value === null) return;
  switch (typed.type) {
    case 'HumanName': {
      const name = value as HumanName;
      for (const part of [name.family, ...(name.given ?? []), ...(name.prefix ?? []), ...(name.suffix ?? []), name.text]) {
        addString(code, part, rows);
      }
      const whole = [...(name.given ?? []), name.family].filter((p) => typeof p === 'string' && p.length > 0).join(' ');
      addString(code, whole, rows);
      return;
    }
    case 'Address': {
      const a = value as Address;
      for (const part of [...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country, a.text]) addString(code, part, rows);
      return;
    }
    case 'CodeableConcept': {
      const cc = value as CodeableConcept;
      addString(code, cc.text, rows);
      for (const coding of cc.coding ?? []) addString(code, coding.display, rows);
      return;
    }
  }
}

/**
 * The `phonetic` parameter: the same rows as a string parameter (each name part and the whole name),
 * holding phonetic keys, so that a search, keyed the same way, finds the name however it is spelt.
 */
export function addPhoneticRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  addStringRows(code, typed, rows, indianNamePhonetic);
  // A name given only as text ("Mohammed Rehman Khan") gets a row per word too, as given/family do.
  const text = typed.type === 'HumanName' ? (typed.value as HumanName | null)?.text : undefined;
  if (typeof text === 'string') for (const word of text.split(/\s+/)) addFolded(code, word, rows, indianNamePhonetic);
}

function addFolded(code: string, text: unknown, rows: SearchIndexRow[], fold: (text: string) => string): void {
  if (typeof text !== 'string') return;
  const value = fold(text);
  if (value.length === 0) return;
  rows.push({ code, value, raw: text });
}
