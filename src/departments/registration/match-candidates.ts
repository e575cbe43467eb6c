/**
 * Finds the patients who may be the one at the desk: a few index-backed FHIR searches (the phone
 * number, the whole name's phonetic key, each name word's key within the birth-date window, any
 * UHID or ABHA number), never a scan of all patients; then every candidate is scored in TypeScript
 * (match-score.ts) and the best come back first.
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { nameWords } from '../../fhir/search/indian-name-phonetic.js';
import { dateBefore } from './desk-dates.js';
import { scoreMatch, type MatchPerson, type MatchScore } from './match-score.js';
import { birthDateEstimated } from './patient-resource.js';

export interface ScoredPatient extends MatchScore { patient: FhirResource; person: MatchPerson }

/** How many each search brings back: enough that the right patient is among them, few enough to score quickly. */
const PER_SEARCH = 25;

/** What a stored Patient says about who they are, in the form the scoring compares. */
export function personOf(patient: FhirResource): MatchPerson {
  const names = (patient.name ?? []) as Array<{ text?: string; given?: string[]; family?: string; use?: string }>;
  const name = names.find((n) => n.use === 'official') ?? names[0];
  const telecom = (patient.telecom ?? []) as Array<{ system?: string; value?: string }>;
  const identifiers = (patient.identifier ?? []) as Array<{ system?: string; value?: string }>;
  return {
    name: name ? (name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ')) || undefined : undefined,
    sex: typeof patient.gender === 'string' ? patient.gender : undefined,
    birthDate: typeof patient.birthDate === 'string' ? patient.birthDate : undefined,
    birthDateEstimated: birthDateEstimated(patient),
    phone: telecom.find((t) => t.system === 'phone' && t.value)?.value,
    identifiers: identifiers.filter((i) => i.system && i.value).map((i) => `${i.system}|${i.value}`),
  };
}

/** The searches that can find `query`'s duplicates, as FHIR Patient search parameters. */
export function candidateSearches(query: MatchPerson): Array<Array<[string, string]>> {
  const searches: Array<Array<[string, string]>> = [];
  const count: [string, string] = ['_count', String(PER_SEARCH)];
  for (const id of query.identifiers ?? []) searches.push([['identifier', id], count]);
  if (query.phone) searches.push([['phone', query.phone], count]);
  const words = query.name ? nameWords(query.name).filter((w) => w.length > 1) : [];
  const birthDate = query.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(query.birthDate) ? query.birthDate : undefined;
  if (words.length > 0) {
    // A common name ("Rahul Kumar") has hundreds of bearers: the birth-date window (the one the
    // scoring still counts, wider for an age) keeps the right one among those brought back.
    searches.push([['phonetic', words.join(' ')], count]);
    if (birthDate) {
      const years = query.birthDateEstimated ? 3 : 1;
      searches.push([['phonetic', words.join(' ')], ['birthdate', `ge${dateBefore(birthDate, years)}`], ['birthdate', `le${dateBefore(birthDate, -years)}`], count]);
    }
  }
  if (birthDate && !query.birthDateEstimated && words.length > 1) {
    // A name spelt past recognition, or a surname changed: the first or the last word with the same birthday.
    // The day drives these searches (a few patients per day), so they stay cheap however common the word.
    for (const w of new Set([words[0], words[words.length - 1]])) searches.push([['phonetic', w], ['birthdate', birthDate], count]);
  }
  return searches;
}

/** The `limit` best-scoring candidates for `query`, best first, leaving out those graded certainly-not. */
export async function findCandidates(repo: FhirRepository, ctx: RequestContext, query: MatchPerson, limit: number): Promise<ScoredPatient[]> {
  const searches = candidateSearches(query);
  if (searches.length === 0) return [];
  const bundles = await Promise.all(searches.map((params) => repo.search(ctx, 'Patient', params)));
  const byId = new Map<string, FhirResource>();
  for (const bundle of bundles) {
    for (const entry of (bundle.entry ?? []) as Array<{ resource?: FhirResource; search?: { mode?: string } }>) {
      if (entry.search?.mode === 'match' && entry.resource?.id) byId.set(entry.resource.id, entry.resource);
    }
  }
  const scored: ScoredPatient[] = [];
  for (const patient of byId.values()) {
    if (isMergedAway(patient)) continue; // a merged duplicate: its record lives on in the patient it was merged into
    const person = personOf(patient);
    const s = scoreMatch(query, person);
    if (s.grade !== 'certainly-not') scored.push({ ...s, patient, person });
  }
  scored.sort((a, b) => b.score - a.score || String(a.patient.id).localeCompare(String(b.patient.id)));
  return scored.slice(0, limit);
}

/** A duplicate merged into another record: inactive, with a Patient.link of type replaced-by. */
export function isMergedAway(patient: FhirResource): boolean {
  const links = (patient.link ?? []) as Array<{ type?: string }>;
  return patient.active === false && links.some((l) => l?.type === 'replaced-by');
}
