/**
 * Why a sample was rejected at receipt (Specimen.condition, system SPECIMEN_REJECTION_SYSTEM of
 * lab-fhir.ts): the server checks a rejection against these codes and the sample-receipt desk offers
 * them. Plain data with no imports, so that the browser bundle takes the very same list.
 */
export const REJECTION_REASONS = {
  haemolysed: 'Haemolysed',
  clotted: 'Clotted',
  insufficient: 'Insufficient volume',
  mislabelled: 'Mislabelled or unlabelled',
  'wrong-container': 'Wrong container',
  other: 'Other (see note)',
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;
