/** Small reads and writes OPD makes through the FHIR repository (never the tables). */
import { currentVersion } from '../../fhir/repository/current-version.js';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue } from '../../fhir/outcome.js';

export interface Versioned {
  resource: FhirResource;
  versionId: number;
}

/** The live resource and its version, or undefined. */
export async function load(repo: FhirRepository, ctx: RequestContext, type: string, id: string): Promise<Versioned | undefined> {
  const found = await currentVersion(repo.db, ctx.hospitalId, type, id);
  return found && !found.deleted && found.resource ? { resource: found.resource, versionId: found.versionId } : undefined;
}

/** The live resource a field of the request names; 422 naming the field when there is none. */
export async function mustExist(repo: FhirRepository, ctx: RequestContext, type: string, id: string, field: string): Promise<Versioned> {
  const found = await load(repo, ctx, type, id);
  if (!found) throw new FhirError(422, issue('not-found', `${field}: ${type}/${id} does not exist`, field));
  return found;
}

/** Every match of a search, following its pages (up to `limit`). */
export async function searchAll(repo: FhirRepository, ctx: RequestContext, type: string, params: Array<[string, string]>, limit = 20_000): Promise<FhirResource[]> {
  const found: FhirResource[] = [];
  for (let offset = 0; found.length < limit; offset += 1000) {
    const bundle = await repo.search(ctx, type, [...params, ['_count', '1000'], ['_offset', String(offset)]]) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
    const page = (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match').map((e) => e.resource as FhirResource);
    found.push(...page);
    if (page.length < 1000) break;
  }
  return found;
}

export interface TransactionEntry {
  method: 'POST' | 'PUT';
  resource: FhirResource;
  ifMatch?: number;
  fullUrl?: string;
}

/** One atomic FHIR transaction Bundle (one ledger entry); returns the written resources in order. */
export async function transact(repo: FhirRepository, ctx: RequestContext, entries: TransactionEntry[]): Promise<FhirResource[]> {
  if (entries.length === 0) return [];
  const response = await repo.bundle(ctx, {
    resourceType: 'Bundle', type: 'transaction',
    entry: entries.map((e) => ({
      ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}),
      resource: e.resource,
      request: { method: e.method, url: e.method === 'POST' ? e.resource.resourceType : `${e.resource.resourceType}/${e.resource.id}`, ...(e.ifMatch !== undefined ? { ifMatch: `W/"${e.ifMatch}"` } : {}) },
    })),
  }) as { entry?: Array<{ resource?: FhirResource }> };
  return (response.entry ?? []).map((e) => e.resource as FhirResource);
}

export const versionOf = (r: FhirResource): number => Number((r.meta as { versionId?: string } | undefined)?.versionId ?? 0);

/** A resource without its meta, ready to be PUT again with changes. */
export function withoutMeta(r: FhirResource): FhirResource {
  const { meta: _meta, ...rest } = r;
  return rest as FhirResource;
}
