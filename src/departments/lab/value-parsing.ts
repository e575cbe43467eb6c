/**
 * A result as text ("13.4", "<0.1", "Reactive", "1+", "1:80") turned into the Observation's value[x]
 * by the analyte's kind: a number to the analyte's decimals, one of its coded answers, or text. A
 * problem comes back as a sentence (the caller names the field), never as a half-made value.
 */
import type { Analyte } from '../../hospital/seed/lab-catalogue.js';
import { ANSWER_SETS, ANSWERS } from '../../hospital/seed/lab-result-codes.js';
import { LOCAL_CODE, SYSTEM } from '../../hospital/seed/systems.js';

export type Comparator = '<' | '<=' | '>' | '>=';

export type ParsedValue =
  | { kind: 'quantity'; value: number; comparator?: Comparator; text: string }
  | { kind: 'coded'; code: string; display: string; text: string }
  | { kind: 'text'; text: string };

export type ValueResult = { ok: true; value: ParsedValue } | { ok: false; problem: string; notANumber?: boolean };

const NUMBER = /^(<=|>=|<|>|≤|≥)?\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;
const MAX_TEXT = 500;
const answerByCode = new Map(ANSWERS.map((a) => [a.code, a]));
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9+]/g, '');

/**
 * `round`: an analyzer's extra digits are rounded to the analyte's decimals (the precision the lab
 * reports); typed by a person, more digits than that is a slip and refused.
 */
export function parseValue(analyte: Analyte, raw: string, options: { round?: boolean } = {}): ValueResult {
  const text = raw.trim();
  if (text === '') return { ok: false, problem: 'is empty' };
  if (text.length > MAX_TEXT) return { ok: false, problem: `is longer than ${MAX_TEXT} characters` };
  if (analyte.result === 'text') return { ok: true, value: { kind: 'text', text } };
  if (analyte.result === 'coded') return parseCoded(analyte, text);
  const m = NUMBER.exec(text.replace(/,/g, ''));
  if (!m) return { ok: false, notANumber: true, problem: `"${text}" is not a number; ${analyte.name} is a number${analyte.unit ? ` in ${analyte.unit.display}` : ''}` };
  const comparator = ({ '≤': '<=', '≥': '>=' } as Record<string, Comparator>)[m[1] ?? ''] ?? (m[1] as Comparator | undefined);
  let value = Number(m[2]);
  const decimals = analyte.decimals ?? 6;
  const given = (m[2].split('.')[1] ?? '').length;
  if (given > decimals) {
    if (!options.round) return { ok: false, problem: `${text} has ${given} decimal places; ${analyte.name} is reported to ${decimals}` };
    value = Number(value.toFixed(decimals));
  }
  if (value < 0) return { ok: false, problem: `${text} is below zero` };
  const shown = `${comparator ?? ''}${value.toFixed(analyte.decimals ?? given)}`;
  return { ok: true, value: { kind: 'quantity', value, ...(comparator ? { comparator } : {}), text: shown } };
}

function parseCoded(analyte: Analyte, text: string): ValueResult {
  const allowed = ANSWER_SETS[analyte.answers ?? 'presence'];
  const wanted = squash(text);
  for (const code of allowed) {
    const answer = answerByCode.get(code)!;
    if (squash(code) === wanted || squash(answer.display) === wanted) return { ok: true, value: { kind: 'coded', code, display: answer.display, text: answer.display } };
  }
  const choices = allowed.map((c) => answerByCode.get(c)!.display).join(', ');
  return { ok: false, problem: `"${text}" is not an answer for ${analyte.name} (${choices})` };
}

/** The Observation's value[x] for a parsed value. */
export function valueElement(analyte: Analyte, parsed: ParsedValue): Record<string, unknown> {
  if (parsed.kind === 'text') return { valueString: parsed.text };
  if (parsed.kind === 'coded') return { valueCodeableConcept: { coding: [{ system: LOCAL_CODE.labResult, code: parsed.code, display: parsed.display }], text: parsed.display } };
  return {
    valueQuantity: {
      value: parsed.value, ...(parsed.comparator ? { comparator: parsed.comparator } : {}),
      ...(analyte.unit ? { unit: analyte.unit.display, system: SYSTEM.ucum, code: analyte.unit.ucum } : {}),
    },
  };
}

/** The value of an Observation as the report prints it, with the analyte's decimals. */
export function valueText(analyte: Analyte | undefined, observation: Record<string, unknown>): string | undefined {
  const q = observation.valueQuantity as { value?: number; comparator?: string } | undefined;
  if (q && typeof q.value === 'number') return `${q.comparator ?? ''}${analyte?.decimals !== undefined ? q.value.toFixed(analyte.decimals) : String(q.value)}`;
  const c = observation.valueCodeableConcept as { text?: string; coding?: Array<{ display?: string; code?: string }> } | undefined;
  if (c) return c.text ?? c.coding?.[0]?.display ?? c.coding?.[0]?.code;
  return typeof observation.valueString === 'string' ? observation.valueString : undefined;
}
