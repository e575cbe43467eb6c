/**
 * An analyzer's results (DeviceResultReport from the gateway) into the laboratory: each result is
 * matched to a received specimen by accession number (the tube's barcode, then the other candidates),
 * and its test code to an analyte ordered on that tube (instrument-codes.ts). A match becomes the
 * analyte's preliminary Observation, with the same flags and critical alerts as manual entry. Anything
 * else (unknown tube or test, text where a number is expected, a unit the lab does not report in, a
 * sample not received, a report already released) becomes a review Observation: never dropped.
 *
 * A result sent again is recognised by its hash (instrument, accession, test, value, time), not by
 * the message id, which instruments and test files reuse: it is counted as a duplicate and nothing is
 * written. The whole message is one ledger entry.
 */
import { createHash } from 'node:crypto';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { Queryable } from '../../store/database.js';
import type { VersionWrite } from '../../store/ledger-entry.js';
import type { DeviceObservation, DeviceResultReport } from '../../devices/lab-device-types.js';
import type { Analyte } from '../../hospital/seed/lab-catalogue.js';
import type { DeviceResultsReply } from './lab-api.js';
import { ACCESSION_SYSTEM } from './lab-fhir.js';
import { specimenIdOf } from './accession.js';
import { analytesForCode, unitsAgree } from './instrument-codes.js';
import { appendLab } from './result-ledger.js';
import { planResults, type ResultItem } from './result-writes.js';
import { accessionOf, live, liveIds, loadSpecimenWork, specimenState, type OrderWork, type SpecimenWork } from './result-work.js';
import { clean, planReviewItem, reviewId } from './review.js';
import { parseValue } from './value-parsing.js';

export const deviceResultHash = (instrument: string, accession: string, test: string, value: string, observedAt: string) =>
  createHash('sha256').update([instrument, accession, test, value, observedAt].join('|')).digest('hex').slice(0, 40);

/** The live specimen a tube's identifiers name: the accession number first, then the other candidates. */
export async function specimenByAccession(repo: FhirRepository, ctx: RequestContext, tx: Queryable, candidates: readonly string[]): Promise<FhirResource | undefined> {
  for (const value of candidates) {
    if (!value || value.length > 64) continue;
    // The lab names the tubes it collects by their accession: one key lookup, not a search. Tubes
    // written another way (through the FHIR API) are still found by the search below.
    const named = /^[0-9]{11}$/.test(value) ? await live(tx, ctx.hospitalId, 'Specimen', specimenIdOf(value)) : undefined;
    if (named && accessionOf(named.resource) === value) return named.resource;
    const bundle = await repo.search(ctx, 'Specimen', [['accession', `${ACCESSION_SYSTEM}|${value}`], ['_count', '2']], false, tx) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
    const found = (bundle.entry ?? []).find((e) => e.resource && (e.search?.mode ?? 'match') === 'match')?.resource;
    if (found) return found;
  }
  return undefined;
}

type Decision = { match: ResultItem & { work: SpecimenWork } } | { review: string };

function decide(obs: DeviceObservation, work: SpecimenWork | undefined, accession: string, instrument: string, hash: string): Decision {
  if (obs.issues.length > 0) return { review: obs.issues.join('; ') };
  if (!work) return { review: accession ? `no specimen with accession number ${accession}` : 'the result names no specimen' };
  const state = specimenState(work.specimen.resource);
  if (state !== 'received') return { review: `specimen ${accession} is ${state === 'rejected' ? 'rejected' : 'not yet received in the laboratory'}` };
  if (obs.resultStatus === 'X') return { review: 'the instrument could not do the test (result status X)' };
  const candidates = analytesForCode(obs.test.code, obs.test.components ?? []);
  if (candidates.length === 0) return { review: `unknown test code ${obs.test.code}` };
  let hit: { order: OrderWork; analyte: Analyte } | undefined;
  for (const order of work.orders) {
    const analyte = candidates.find((a) => order.analytes.includes(a));
    if (analyte && order.order.resource.status === 'active') { hit = { order, analyte }; break; }
  }
  if (!hit) return { review: `no open order on specimen ${accession} measures ${candidates.map((a) => a.name).join(' / ')}` };
  const released = hit.order.report?.resource.status;
  if (released === 'final' || released === 'amended') return { review: `the report of ${hit.order.test.name} is already released; a pathologist amends it` };
  if (!unitsAgree(hit.analyte, obs.units)) return { review: `unit ${obs.units ?? ''} is not the unit the lab reports ${hit.analyte.name} in (${hit.analyte.unit?.display ?? 'none'})` };
  const parsed = parseValue(hit.analyte, obs.value, { round: true });
  if (!parsed.ok) return { review: parsed.notANumber ? `text where a number is expected: ${parsed.problem}` : parsed.problem };
  const exact = parsed.value.kind === 'quantity' && parsed.value.text !== obs.value.trim() ? `As sent by ${instrument}: ${clean(obs.value)}${obs.units ? ` ${clean(obs.units)}` : ''}` : undefined;
  return { match: { work, order: hit.order, analyte: hit.analyte, parsed: parsed.value, device: instrument, deviceResult: hash, ...(exact ? { note: exact } : {}) } };
}

/** `patients` collects the patients whose results were written, for the audit record. */
export function receiveDeviceResults(repo: FhirRepository, ctx: RequestContext, report: DeviceResultReport, patients?: Set<string>): Promise<DeviceResultsReply> {
  return appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const reply: DeviceResultsReply = { accepted: true, matched: 0, review: 0, duplicates: 0 };
    const versions: VersionWrite[] = [];
    const seen = new Set<string>();
    const works = new Map<string, SpecimenWork | undefined>();
    const matches = new Map<SpecimenWork, ResultItem[]>();
    const hashes = report.observations.map((obs) => {
      const accession = [obs.specimen.accessionNumber ?? '', ...obs.specimen.candidates].find(Boolean) ?? '';
      return deviceResultHash(report.instrument, accession, obs.test.code, obs.value, obs.observedAt ?? '');
    });
    // Review items already filed for any of these results, in one query (this runs under the chain lock).
    const reviewed = await liveIds(tx, ctx.hospitalId, 'Observation', hashes.map(reviewId));
    for (const [index, obs] of report.observations.entries()) {
      const candidates = [obs.specimen.accessionNumber ?? '', ...obs.specimen.candidates].filter(Boolean);
      const accession = candidates[0] ?? '';
      const instrument = clean(obs.performingDevice || report.instrument, 200) || 'unnamed instrument';
      const hash = hashes[index];
      const key = candidates.join('|');
      if (!works.has(key)) {
        const specimen = await specimenByAccession(repo, ctx, tx, candidates);
        works.set(key, specimen ? await loadSpecimenWork(tx, ctx.hospitalId, specimen.id as string) : undefined);
      }
      const work = works.get(key);
      const already = seen.has(hash) || reviewed.has(reviewId(hash))
        || (work?.orders ?? []).some((o) => [...o.observations.values()].some((x) => ((x.resource.identifier as Array<{ value?: string }> | undefined) ?? []).some((i) => i.value === hash)));
      seen.add(hash);
      if (already) { reply.duplicates++; continue; }
      const decision = decide(obs, work, accession, instrument, hash);
      if ('match' in decision) {
        const { work: w, ...item } = decision.match;
        matches.set(w, [...(matches.get(w) ?? []), item]);
        reply.matched++;
      } else {
        versions.push(planReviewItem({ hash, instrument, accession, observation: obs, reason: decision.review, time }));
        reply.review++;
      }
    }
    for (const [work, items] of matches) {
      versions.push(...planResults(work, items, { time, status: 'preliminary' }).versions);
      const subject = (work.specimen.resource.subject as { reference?: string } | undefined)?.reference;
      if (subject) patients?.add(subject);
    }
    return { versions, result: reply };
  }, () => ({ accepted: true, matched: 0, review: 0, duplicates: report.observations.length }));
}
