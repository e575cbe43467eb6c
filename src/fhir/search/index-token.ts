/**
 * Token search parameter values: system + code. `raw` holds the human text that goes with the code
 * (Coding.display, CodeableConcept.text, Identifier.type.text), folded like a string value, for
 * the `:text` modifier.
 */
import type { TypedValue } from '@medplum/core';
import type { SearchIndexRow } from './search-index-row.js';
import { MAX_INDEXED_LENGTH, normaliseString } from './string-normalise.js';

interface Coding { system?: string; code?: string; display?: string }
interface CodeableConcept { coding?: Coding[]; text?: string }
interface Identifier { system?: string; value?: string; type?: CodeableConcept }

export function addTokenRows(code: string, typed: TypedValue, rows: SearchIndexRow[]): void {
  const value = typed.value;
  if (typeof value === 'boolean') return void rows.push({ code, system: null, value: String(value) });
  if (typeof value === 'string') return void rows.push({ code, system: null, value: clip(value) });
  if (typeof value !== 'object' || value === null) return;
  switch (typed.type) {
    case 'Coding':
      return addCoding(code, value as Coding, undefined, rows);
    case 'CodeableConcept': {
      const cc = value as CodeableConcept;
      const codings = cc.coding ?? [];
      for (const coding of codings) addCoding(code, coding, cc.text, rows);
      // :text looks at CodeableConcept.text as well as each display: give the text a row of its
      // own unless a coding row already carries it.
      if (cc.text && codings.every((c) => c.display !== undefined && c.display !== cc.text)) {
        rows.push({ code, system: null, value: null, raw: normaliseString(cc.text) });
      }
      return;
    }
    case 'Identifier': {
      const id = value as Identifier;
      if (id.value === undefined && id.system === undefined) return;
      rows.push({ code, system: id.system ?? null, value: id.value === undefined ? null : clip(id.value), raw: conceptText(id.type) });
      return;
    }
    case 'ContactPoint': {
      // ContactPoint.system (phone, email ...) is not a code system, so it is not the token's system.
      const cp = value as { value?: string };
      if (typeof cp.value === 'string') rows.push({ code, system: null, value: clip(cp.value) });
      return;
    }
  }
}

function addCoding(code: string, coding: Coding, conceptText: string | undefined, rows: SearchIndexRow[]): void {
  if (coding.code === undefined && coding.system === undefined && coding.display === undefined) return;
  const text = coding.display ?? conceptText;
  rows.push({
    code,
    system: coding.system ?? null,
    value: coding.code === undefined ? null : clip(coding.code),
    raw: text === undefined ? null : normaliseString(text),
  });
}

function conceptText(cc: CodeableConcept | undefined): string | null {
  const text = cc?.text ?? cc?.coding?.find((c) => c.display)?.display;
  return text === undefined ? null : normaliseString(text);
}

function clip(text: string): string {
  return text.length > MAX_INDEXED_LENGTH ? text.slice(0, MAX_INDEXED_LENGTH) : text;
}
