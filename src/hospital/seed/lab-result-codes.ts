/**
 * Answers of qualitative lab tests (HBsAg reactive, urine sugar 2+, blood group B positive …) as one
 * local CodeSystem, and the ValueSets that ObservationDefinitions point at for their allowed and
 * normal answers. Local codes, because the report must print exactly the words Indian labs use; a
 * SNOMED CT mapping can be added beside them later without changing the results already stored.
 */
import type { AnswerSetKey, Analyte } from './lab-catalogue-types.js';
import type { Resource } from './fhir-shapes.js';
import { CANONICAL_BASE, LOCAL_CODE } from './systems.js';

export interface Answer {
  code: string;
  display: string;
}

export const ANSWERS: readonly Answer[] = [
  { code: 'reactive', display: 'Reactive' },
  { code: 'non-reactive', display: 'Non-reactive' },
  { code: 'positive', display: 'Positive' },
  { code: 'negative', display: 'Negative' },
  { code: 'trace', display: 'Trace' },
  { code: '1-plus', display: '1+' },
  { code: '2-plus', display: '2+' },
  { code: '3-plus', display: '3+' },
  { code: '4-plus', display: '4+' },
  ...(['A', 'B', 'AB', 'O'] as const).flatMap((group) => [
    { code: `${group.toLowerCase()}-pos`, display: `${group} Rh(D) positive` },
    { code: `${group.toLowerCase()}-neg`, display: `${group} Rh(D) negative` },
  ]),
];

/** The allowed answers of each answer set, and the single-answer "normal" sets. */
export const ANSWER_SETS: Record<AnswerSetKey | Required<Analyte>['normalAnswers'], readonly string[]> = {
  reactivity: ['reactive', 'non-reactive'],
  presence: ['positive', 'negative'],
  'dipstick-grade': ['negative', 'trace', '1-plus', '2-plus', '3-plus', '4-plus'],
  'abo-rh': ['a-pos', 'a-neg', 'b-pos', 'b-neg', 'ab-pos', 'ab-neg', 'o-pos', 'o-neg'],
  'non-reactive': ['non-reactive'],
  negative: ['negative'],
};

export function answerValueSetId(set: keyof typeof ANSWER_SETS): string {
  return `lab-answers-${set}`;
}

export function labResultCodeSystem(): Resource {
  return {
    resourceType: 'CodeSystem',
    id: 'lab-result',
    url: LOCAL_CODE.labResult,
    name: 'NirantarLabResult',
    title: 'Qualitative laboratory results',
    status: 'active',
    content: 'complete',
    caseSensitive: true,
    count: ANSWERS.length,
    concept: ANSWERS.map((a) => ({ code: a.code, display: a.display })),
  };
}

export function answerValueSets(): Resource[] {
  const byCode = new Map(ANSWERS.map((a) => [a.code, a]));
  return (Object.keys(ANSWER_SETS) as (keyof typeof ANSWER_SETS)[]).map((set) => {
    const id = answerValueSetId(set);
    return {
      resourceType: 'ValueSet',
      id,
      url: `${CANONICAL_BASE}/ValueSet/${id}`,
      name: `NirantarLabAnswers${set.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
      title: `Laboratory answers: ${set}`,
      status: 'active',
      compose: {
        include: [{
          system: LOCAL_CODE.labResult,
          concept: ANSWER_SETS[set].map((code) => {
            const answer = byCode.get(code);
            if (!answer) throw new Error(`lab answers: unknown code '${code}' in set '${set}'`);
            return { code, display: answer.display };
          }),
        }],
      },
    };
  });
}
