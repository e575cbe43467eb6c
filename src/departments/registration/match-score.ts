/**
 * The score of one candidate against what the clerk typed: 0..1, a grade in the words of FHIR's
 * match-grade extension, and the reasons in the clerk's words ("same phone", "name sounds alike").
 *
 * Name counts most, then date of birth, then phone; they are weighted over the fields the clerk has
 * given so far, so a half-filled form still ranks. Phone alone is never a duplicate: an Indian family
 * often shares one mobile. A different sex, or a birth date years apart, pulls the score down hard:
 * those are different people with similar names, the commonest false alarm.
 */
import { compareNames } from './name-similarity.js';

export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface MatchPerson {
  name?: string;
  sex?: string;
  birthDate?: string;
  /** The birth date was worked out from a told age: allow a year or two either way. */
  birthDateEstimated?: boolean;
  phone?: string;
  /** 'system|value' of identifiers (UHID, ABHA) that name one person. */
  identifiers?: string[];
}

export interface MatchScore { score: number; grade: MatchGrade; reasons: string[] }

const WEIGHT = { name: 0.55, birth: 0.25, phone: 0.15, sex: 0.05 };
const DAY_MS = 86_400_000;

export function scoreMatch(query: MatchPerson, candidate: MatchPerson): MatchScore {
  const reasons: string[] = [];
  const sharedId = query.identifiers?.find((id) => candidate.identifiers?.includes(id));
  if (sharedId) {
    return { score: 1, grade: 'certain', reasons: [sharedId.includes('healthid') ? 'same ABHA number' : 'same UHID'] };
  }
  let sum = 0;
  let weights = 0;
  let nameScore = 0;
  if (query.name && candidate.name) {
    const n = compareNames(query.name, candidate.name);
    nameScore = n.score;
    sum += WEIGHT.name * n.score;
    weights += WEIGHT.name;
    if (n.same) reasons.push('same name');
    else if (n.soundsAlike) reasons.push('name sounds alike');
    else if (n.score >= 0.85) reasons.push('similar name');
  }
  let penalty = 1;
  if (query.birthDate && candidate.birthDate) {
    const days = Math.abs(Date.parse(query.birthDate) - Date.parse(candidate.birthDate)) / DAY_MS;
    const slack = query.birthDateEstimated || candidate.birthDateEstimated ? 730 : 0;
    const swapped = dayMonthSwapped(query.birthDate, candidate.birthDate);
    let s: number;
    if (days === 0) { s = 1; reasons.push('same date of birth'); }
    else if (swapped) { s = 0.85; reasons.push('day and month of birth swapped'); }
    else if (days <= 366 + slack) { s = slack > 0 ? 0.85 : 0.6; reasons.push(slack > 0 ? 'age fits' : 'born within a year'); }
    else if (days <= 3 * 366 + slack) { s = 0.25; reasons.push('born within 3 years'); }
    else { s = 0; penalty *= days > 10 * 366 ? 0.35 : 0.6; }
    sum += WEIGHT.birth * s;
    weights += WEIGHT.birth;
  }
  if (query.phone && candidate.phone) {
    const same = query.phone === candidate.phone;
    if (same) reasons.push('same phone');
    sum += WEIGHT.phone * (same ? 1 : 0);
    weights += WEIGHT.phone;
  }
  if (known(query.sex) && known(candidate.sex)) {
    if (query.sex === candidate.sex) { sum += WEIGHT.sex; reasons.push('same sex'); }
    else { penalty *= 0.4; reasons.push('different sex'); }
    weights += WEIGHT.sex;
  }
  if (weights === 0) return { score: 0, grade: 'certainly-not', reasons };
  let score = (sum / weights) * penalty;
  // Without a name that matches, the other fields describe a household, not a person.
  if (query.name && candidate.name && nameScore < 0.75) score = Math.min(score, 0.45);
  score = Math.round(score * 1000) / 1000;
  return { score, grade: gradeOf(score, weights), reasons };
}

/** 'certain' needs more than a name: at least the name and one of birth date or phone. */
function gradeOf(score: number, weights: number): MatchGrade {
  if (score >= 0.92 && weights > WEIGHT.name + WEIGHT.sex) return 'certain';
  if (score >= 0.75) return 'probable';
  if (score >= 0.5) return 'possible';
  return 'certainly-not';
}

const known = (sex: string | undefined) => sex === 'male' || sex === 'female';

function dayMonthSwapped(a: string, b: string): boolean {
  const [ay, am, ad] = a.split('-');
  const [by, bm, bd] = b.split('-');
  return ay === by && am === bd && ad === bm;
}
