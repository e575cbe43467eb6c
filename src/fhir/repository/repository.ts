/**
 * The FHIR store's API inside the process: the REST routes call it, and so do the departments
 * (registration, lab, billing ...), which never touch the tables. Every write goes through the
 * ledger writer; reads go to the projections.
 */
import type { Database, Queryable } from '../../store/database.js';
import type { LedgerEntryBody } from '../../store/ledger-entry.js';
import { LedgerWriter, type AfterCommit, type WritePlan } from '../../store/ledger-writer.js';
import { FhirError, badRequest, issue, preconditionFailed } from '../outcome.js';
import { validated } from './validated.js';
import { search } from '../search/search.js';
import type { FhirResource, RequestContext } from './context.js';
import { currentVersion } from './current-version.js';
import { planCreate, planDelete, planUpdate, requireLive, type PlannedWrite } from './version-plans.js';
import { applyJsonPatch } from './json-patch.js';
import { processBundle } from './bundle.js';

export interface WriteResult {
  status: number;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  /** Absent after a delete. */
  resource?: FhirResource;
}

export class FhirRepository {
  readonly writer: LedgerWriter;

  constructor(readonly db: Database, afterCommit?: AfterCommit) {
    this.writer = new LedgerWriter(db, afterCommit);
  }

  async create(ctx: RequestContext, resource: unknown, options: { ifNoneExist?: string } = {}): Promise<WriteResult> {
    const valid = validated(resource);
    return this.writeOne(ctx, 'create', options.ifNoneExist !== undefined, async (tx, time) => {
      if (options.ifNoneExist !== undefined) {
        const existing = await this.findOne(tx, ctx, valid.resourceType, options.ifNoneExist, 'If-None-Exist');
        if (existing) return { existing };
      }
      return planCreate(valid, time);
    });
  }

  async update(ctx: RequestContext, resourceType: string, id: string, resource: unknown, options: { ifMatch?: number } = {}): Promise<WriteResult> {
    const valid = validated(resource, resourceType);
    if (valid.id === undefined) throw badRequest(`${resourceType}.id is required in the body of an update`, `${resourceType}.id`);
    if (valid.id !== id) throw badRequest(`${resourceType}.id "${valid.id}" does not match the id "${id}" in the URL`, `${resourceType}.id`);
    return this.writeOne(ctx, 'update', true, async (tx, time) =>
      planUpdate(valid, id, await currentVersion(tx, ctx.hospitalId, resourceType, id), time, options.ifMatch),
    );
  }

  /** PUT Type?criteria: update the one match, create when none, refuse when several. */
  async conditionalUpdate(ctx: RequestContext, resourceType: string, criteria: string, resource: unknown): Promise<WriteResult> {
    const valid = validated(resource, resourceType);
    return this.writeOne(ctx, 'update', true, async (tx, time) => {
      const match = await this.findOne(tx, ctx, resourceType, criteria, 'conditional update');
      if (!match) return planCreate(valid, time, valid.id);
      const id = match.id as string;
      if (valid.id !== undefined && valid.id !== id) {
        throw badRequest(`${resourceType}.id "${valid.id}" does not match the resource the criteria found`, `${resourceType}.id`);
      }
      return planUpdate({ ...valid, id }, id, await currentVersion(tx, ctx.hospitalId, resourceType, id), time);
    });
  }

  async patch(ctx: RequestContext, resourceType: string, id: string, operations: unknown, options: { ifMatch?: number } = {}): Promise<WriteResult> {
    return this.writeOne(ctx, 'patch', true, async (tx, time) => {
      const current = await currentVersion(tx, ctx.hospitalId, resourceType, id);
      const patched = applyJsonPatch(requireLive(resourceType, id, current), operations);
      const valid = validated(patched, resourceType);
      return planUpdate(valid, id, current, time, options.ifMatch, 'PATCH');
    });
  }

  async delete(ctx: RequestContext, resourceType: string, id: string): Promise<WriteResult | undefined> {
    return this.writeOne(ctx, 'delete', true, async (tx, time) =>
      planDelete(resourceType, id, await currentVersion(tx, ctx.hospitalId, resourceType, id), time) ?? { nothing: true },
    ).then((r) => (r.versionId === 0 ? undefined : r));
  }

  /** A batch or transaction Bundle; returns the response Bundle. */
  async bundle(ctx: RequestContext, bundle: unknown): Promise<FhirResource> {
    return processBundle(this, ctx, bundle);
  }

  async read(ctx: RequestContext, resourceType: string, id: string): Promise<FhirResource> {
    return requireLive(resourceType, id, await currentVersion(this.db, ctx.hospitalId, resourceType, id));
  }

  async search(ctx: RequestContext, resourceType: string, params: Array<[string, string]>, strict = false, tx: Queryable = this.db) {
    return search(tx, { hospitalId: ctx.hospitalId, resourceType, params, baseUrl: ctx.baseUrl, strict });
  }

  /** The single resource matching `criteria` (a search query string), undefined for none, 412 for several. */
  async findOne(tx: Queryable, ctx: RequestContext, resourceType: string, criteria: string, what: string): Promise<FhirResource | undefined> {
    const params = [...new URLSearchParams(criteria)].filter(([k]) => !k.startsWith('_count'));
    if (params.length === 0) throw badRequest(`${what} needs search criteria`);
    const result = await this.search(ctx, resourceType, [...params, ['_count', '2']], true, tx);
    const matches = ((result.entry ?? []) as Array<{ resource: FhirResource; search?: { mode?: string } }>).filter((e) => e.search?.mode !== 'outcome' && e.search?.mode !== 'include');
    if (matches.length > 1) throw preconditionFailed(`${what} criteria "${criteria}" match more than one ${resourceType}`);
    return matches[0]?.resource;
  }

  /** Appends one single-resource write, or returns the first result when its request id was seen. */
  private writeOne(
    ctx: RequestContext,
    interaction: string,
    readsState: boolean,
    decide: (tx: Queryable, time: string) => Promise<PlannedWrite | { existing: FhirResource } | { nothing: true }>,
  ): Promise<WriteResult> {
    return this.writer.append<WriteResult>({
      hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash, readsState,
      plan: async (tx, time): Promise<WritePlan<WriteResult>> => {
        const decision = await decide(tx, time);
        if ('existing' in decision) {
          const r = decision.existing;
          const meta = r.meta as { versionId: string; lastUpdated: string };
          return { interaction, versions: [], result: { status: 200, resourceType: r.resourceType, id: r.id as string, versionId: Number(meta.versionId), lastUpdated: meta.lastUpdated, resource: r } };
        }
        if ('nothing' in decision) return { interaction, versions: [], result: { status: 200, resourceType: '', id: '', versionId: 0, lastUpdated: time } };
        const v = decision.version;
        return {
          interaction, versions: decision.unchanged ? [] : [v], responses: [{ status: decision.status }],
          result: { status: decision.status, resourceType: v.resourceType, id: v.id, versionId: v.versionId, lastUpdated: v.lastUpdated, resource: v.resource as FhirResource | undefined },
        };
      },
      replay: async (_tx, entry) => replaySingle(ctx, entry),
    });
  }
}

function replaySingle(ctx: RequestContext, entry: LedgerEntryBody): WriteResult {
  if (entry.requestHash !== ctx.requestHash || entry.versions.length !== 1) {
    throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`));
  }
  const v = entry.versions[0];
  const status = (entry.responses?.[0] as { status?: number } | undefined)?.status ?? 200;
  return { status, resourceType: v.resourceType, id: v.id, versionId: v.versionId, lastUpdated: v.lastUpdated, resource: v.resource as FhirResource | undefined };
}
