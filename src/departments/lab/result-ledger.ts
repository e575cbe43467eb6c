/**
 * The one way the results half writes: a plan run under the hospital's chain lock (so what it checks
 * is what it changes), appended as ONE ledger entry, or, for an X-Request-Id already applied, the
 * first answer again with nothing written.
 */
import type { RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { Queryable } from '../../store/database.js';
import type { LedgerEntryBody, VersionWrite } from '../../store/ledger-entry.js';
import { reportId } from './lab-fhir.js';

export interface LabPlan<R> {
  versions: VersionWrite[];
  result: R;
}

export function appendLab<R>(
  repo: FhirRepository, ctx: RequestContext, interaction: string,
  plan: (tx: Queryable, time: string) => Promise<LabPlan<R>>,
  replay: (entry: LedgerEntryBody) => R,
): Promise<R> {
  return repo.writer.append<R>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const planned = await plan(tx, time);
      return {
        interaction, versions: planned.versions,
        responses: planned.versions.map((v) => ({ status: v.versionId === 1 ? '201 Created' : '200 OK', location: `${v.resourceType}/${v.id}/_history/${v.versionId}`, etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated })),
        result: planned.result,
      };
    },
    replay: async (_tx, entry) => {
      if (entry.requestHash !== ctx.requestHash) {
        throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
      }
      return replay(entry);
    },
  });
}

/** Report ids an entry wrote to (for a replay's answer): its reports, and those of its Observations' orders. */
export const reportsWritten = (entry: LedgerEntryBody): string[] => [...new Set([
  ...entry.versions.filter((v) => v.resourceType === 'DiagnosticReport').map((v) => v.id),
  ...entry.versions.filter((v) => v.resourceType === 'Observation').flatMap((v) =>
    ((v.resource?.basedOn as Array<{ reference?: string }> | undefined) ?? []).map((b) => b.reference ?? '').filter((r) => r.startsWith('ServiceRequest/')).map((r) => reportId(r.slice('ServiceRequest/'.length)))),
])];

export function requireRequestId(ctx: RequestContext): void {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per action, so a retry is applied once', 'X-Request-Id'));
}
