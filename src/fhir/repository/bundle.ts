/**
 * batch and transaction Bundles. A transaction is one ledger entry: every entry succeeds or nothing
 * is written. A batch is also one ledger entry holding the entries that succeeded; each failed
 * entry gets its own OperationOutcome in the response.
 */
import type { Queryable } from '../../store/database.js';
import type { LedgerEntryBody, VersionWrite } from '../../store/ledger-entry.js';
import { FhirError, badRequest, issue } from '../outcome.js';
import { validated } from './validated.js';
import type { FhirResource, RequestContext } from './context.js';
import { currentVersion, type StoredVersion } from './current-version.js';
import { planCreate, planDelete, planUpdate, requireLive, newId, parseETag, type PlannedWrite } from './version-plans.js';
import { applyJsonPatch } from './json-patch.js';
import { parseBundleRequest, type BundleRequest } from './bundle-request.js';
import { rewriteReferences } from './rewrite-references.js';
import type { FhirRepository } from './repository.js';

type Entry = BundleRequest & { index: number };
type Response = { status: string; location?: string; etag?: string; lastModified?: string; outcome?: unknown };
type EntryResult = { response: Response; resource?: FhirResource; version?: VersionWrite };

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };
const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 204: '204 No Content' };

export async function processBundle(repo: FhirRepository, ctx: RequestContext, input: unknown): Promise<FhirResource> {
  const bundle = input as { resourceType?: string; type?: string; entry?: unknown[] };
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') throw badRequest('POST to the base URL needs a Bundle', 'Bundle');
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw badRequest(`Bundle.type must be "batch" or "transaction", not ${JSON.stringify(bundle.type)}`, 'Bundle.type');
  }
  const transaction = bundle.type === 'transaction';
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  const entries: Entry[] = (bundle.entry ?? []).map((e, index) => {
    try {
      return { ...parseBundleRequest(e, index), index };
    } catch (err) {
      // A transaction fails as a whole; a batch answers this entry with its error.
      if (transaction || !(err instanceof FhirError)) throw err;
      return { method: 'GET', resourceType: '', index, error: err };
    }
  });
  if (transaction) prepareTransaction(entries);
  const responseType = transaction ? 'transaction-response' : 'batch-response';

  return repo.writer.append<FhirResource>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const state = new Map<string, StoredVersion | undefined>();
      const results: EntryResult[] = new Array(entries.length);
      for (const entry of [...entries].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index)) {
        try {
          if (entry.error) throw entry.error;
          results[entry.index] = await processEntry(repo, ctx, tx, entry, state, time);
        } catch (err) {
          if (transaction || !(err instanceof FhirError)) {
            if (err instanceof FhirError && !err.message.startsWith('Bundle.entry')) throw prefixed(err, entry.index);
            throw err;
          }
          results[entry.index] = { response: { status: String(err.status), outcome: err.outcome } };
        }
      }
      const versions = results.filter((r) => r.version).map((r) => r.version as VersionWrite);
      const responses = results.map((r) => r.response);
      return { interaction: bundle.type as string, versions, responses, result: responseBundle(responseType, results) };
    },
    replay: async (_tx, first) => replayBundle(ctx, first, responseType),
  });
}

async function processEntry(
  repo: FhirRepository, ctx: RequestContext, tx: Queryable, entry: Entry,
  state: Map<string, StoredVersion | undefined>, time: string,
): Promise<EntryResult> {
  const current = async (type: string, id: string) => {
    const key = `${type}/${id}`;
    if (!state.has(key)) state.set(key, await currentVersion(tx, ctx.hospitalId, type, id));
    return state.get(key);
  };
  const remember = (p: PlannedWrite): EntryResult => {
    const v = p.version;
    if (p.unchanged) return { resource: v.resource as FhirResource, response: { status: '200 OK', location: `${v.resourceType}/${v.id}/_history/${v.versionId}`, etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated } };
    state.set(`${v.resourceType}/${v.id}`, { versionId: v.versionId, lastUpdated: v.lastUpdated, deleted: v.deleted, resource: (v.resource as FhirResource) ?? null });
    return {
      version: v, resource: v.resource as FhirResource | undefined,
      response: { status: STATUS_TEXT[p.status], location: `${v.resourceType}/${v.id}/_history/${v.versionId}`, etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
    };
  };
  const { method, resourceType, id, query, resource, ifMatch, ifNoneExist } = entry;
  switch (method) {
    case 'POST': {
      if (ifNoneExist) {
        const existing = await repo.findOne(tx, ctx, resourceType, ifNoneExist, 'ifNoneExist');
        if (existing) return { resource: existing, response: { status: '200 OK', location: `${resourceType}/${existing.id}` } };
      }
      return remember(planCreate(resource as FhirResource, time, entry.assignedId));
    }
    case 'PUT': {
      let target = id;
      if (!target) {
        const match = await repo.findOne(tx, ctx, resourceType, query ?? '', 'conditional update');
        if (!match) return remember(planCreate(resource as FhirResource, time, entry.assignedId ?? newId()));
        target = match.id as string;
      }
      return remember(planUpdate({ ...(resource as FhirResource), id: target }, target, await current(resourceType, target), time, ifMatch ? parseETag(ifMatch) : undefined));
    }
    case 'PATCH': {
      const cur = await current(resourceType, id as string);
      const patched = validated(applyJsonPatch(requireLive(resourceType, id as string, cur), entry.patch), resourceType);
      return remember(planUpdate(patched, id as string, cur, time, ifMatch ? parseETag(ifMatch) : undefined, 'PATCH'));
    }
    case 'DELETE': {
      const planned = planDelete(resourceType, id as string, await current(resourceType, id as string), time);
      return planned ? remember(planned) : { response: { status: '204 No Content' } };
    }
    default: {
      if (id) return { resource: requireLive(resourceType, id, await current(resourceType, id)), response: { status: '200 OK' } };
      const found = await repo.search(ctx, resourceType, [...new URLSearchParams(query ?? '')], false, tx);
      return { resource: found as FhirResource, response: { status: '200 OK' } };
    }
  }
}

/** Transactions: ids for new resources and urn:uuid references rewritten before anything runs. */
function prepareTransaction(entries: Entry[]): void {
  const map = new Map<string, string>();
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.method === 'POST' || (e.method === 'PUT' && !e.id)) e.assignedId = e.method === 'PUT' ? (e.resource as FhirResource).id ?? newId() : newId();
    const target = `${e.resourceType}/${e.id ?? e.assignedId ?? ''}`;
    if (e.fullUrl?.startsWith('urn:uuid:') || e.fullUrl?.startsWith('urn:oid:')) map.set(e.fullUrl, target);
    if (e.method !== 'GET' && e.id) {
      if (seen.has(target)) throw badRequest(`Bundle.entry[${e.index}] writes ${target} a second time in one transaction`, `Bundle.entry[${e.index}].request.url`);
      seen.add(target);
    }
  }
  for (const e of entries) if (e.resource) e.resource = rewriteReferences(e.resource as FhirResource, map);
}

function prefixed(err: FhirError, index: number): FhirError {
  const issues = err.outcome.issue.map((i) => ({
    ...i, diagnostics: `Bundle.entry[${index}]: ${i.diagnostics ?? ''}`,
    ...(i.expression ? { expression: i.expression.map((x) => `Bundle.entry[${index}].resource.${x.split('.').slice(1).join('.')}`.replace(/\.$/, '')) } : {}),
  }));
  return new FhirError(err.status, issues);
}

function responseBundle(type: string, results: EntryResult[]): FhirResource {
  return {
    resourceType: 'Bundle', type,
    entry: results.map((r) => ({
      ...(r.resource ? { resource: r.resource } : {}),
      response: r.response.outcome ? { status: r.response.status, outcome: r.response.outcome } : r.response,
    })),
  };
}

function replayBundle(ctx: RequestContext, first: LedgerEntryBody, type: string): FhirResource {
  if (first.requestHash !== ctx.requestHash) {
    throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`));
  }
  const byLocation = new Map(first.versions.map((v) => [`${v.resourceType}/${v.id}/_history/${v.versionId}`, v]));
  const results = (first.responses as Response[]).map((response) => ({
    response, resource: response.location ? (byLocation.get(response.location)?.resource as FhirResource | undefined) : undefined,
  }));
  return responseBundle(type, results);
}
