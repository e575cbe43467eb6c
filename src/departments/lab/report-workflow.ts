/**
 * A report's way out of the laboratory: technical validation by a technician (partial → preliminary,
 * every analyte entered), authorisation by a pathologist (preliminary → final: the Observations final,
 * the order completed, the report issued), and amendment after release (new Observation versions,
 * status amended, the reason kept; the earlier values stay in the history). Each step is checked and
 * written under the chain lock as one ledger entry.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import type { VersionWrite } from '../../store/ledger-entry.js';
import type { AmendRequest } from './lab-api.js';
import { TECHNICAL_VALIDATION } from './lab-fhir.js';
import { appendLab, requireRequestId } from './result-ledger.js';
import { buildReport, type Person } from './result-resources.js';
import { planResults, type ResultItem } from './result-writes.js';
import { complete, loadReportWork } from './result-work.js';
import { parseValue } from './value-parsing.js';

const stateConflict = (id: string, text: string) => new FhirError(409, issue('business-rule', `DiagnosticReport/${id} ${text}`));
const withoutMeta = (r: FhirResource): FhirResource => { const { meta: _m, ...rest } = r; return rest as FhirResource; };
const resultIds = (report: FhirResource) => ((report.result as Array<{ reference: string }> | undefined) ?? []).map((r) => r.reference.split('/').pop()!);

export function validateReport(repo: FhirRepository, ctx: RequestContext, id: string, validator: Person): Promise<string> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'update', async (tx, time) => {
    const { work, order } = await loadReportWork(tx, ctx.hospitalId, id);
    const status = order.report!.resource.status;
    if (status !== 'partial') throw stateConflict(id, status === 'preliminary' ? 'is already validated' : `is ${String(status)}; only a report being entered is validated`);
    if (!complete(order)) {
      const missing = order.analytes.filter((a) => !order.observations.has(a.key)).map((a) => a.name);
      throw stateConflict(id, `has no value yet for ${missing.join(', ')}; enter every result before validating`);
    }
    const extension = [
      ...((order.report!.resource.extension as Array<{ url: string }> | undefined) ?? []).filter((e) => e.url !== TECHNICAL_VALIDATION),
      { url: TECHNICAL_VALIDATION, extension: [{ url: 'validator', valueReference: validator }, { url: 'time', valueDateTime: time }] },
    ];
    const report = buildReport(work, order, resultIds(order.report!.resource), 'preliminary', { extension });
    return { versions: [planUpdate(validated(report, 'DiagnosticReport'), id, order.report!.version, time).version], result: id };
  }, () => id);
}

export function authoriseReport(repo: FhirRepository, ctx: RequestContext, id: string, pathologist: Person): Promise<string> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const { work, order } = await loadReportWork(tx, ctx.hospitalId, id);
    const status = order.report!.resource.status;
    if (status !== 'preliminary') {
      throw stateConflict(id, status === 'partial' ? 'is not technically validated yet: a technician validates it first' : `is already ${String(status)}`);
    }
    const versions: VersionWrite[] = [];
    for (const o of order.observations.values()) {
      if (o.resource.status === 'final') continue;
      versions.push(planUpdate(validated({ ...withoutMeta(o.resource), status: 'final' }, 'Observation'), o.resource.id as string, o.version, time).version);
    }
    const report = buildReport(work, order, resultIds(order.report!.resource), 'final', { issued: time, resultsInterpreter: [pathologist] });
    versions.push(planUpdate(validated(report, 'DiagnosticReport'), id, order.report!.version, time).version);
    const sr = order.order;
    versions.push(planUpdate(validated({ ...withoutMeta(sr.resource), status: 'completed' }, 'ServiceRequest'), sr.resource.id as string, sr.version, time).version);
    return { versions, result: id };
  }, () => id);
}

export function readAmendment(body: Record<string, unknown>): AmendRequest {
  const problems: OperationOutcomeIssue[] = [];
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (!reason) problems.push(issue('required', 'reason: say why the released result is amended', 'reason'));
  else if (reason.length > 1000) problems.push(issue('invalid', 'reason: at most 1000 characters', 'reason'));
  const raw = body.results;
  if (!Array.isArray(raw) || raw.length === 0) problems.push(issue('required', 'results: give at least one {analyte, value}', 'results'));
  const results = (Array.isArray(raw) ? raw : []).flatMap((r: unknown, i) => {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const analyte = typeof o.analyte === 'string' ? o.analyte.trim() : '';
    const value = typeof o.value === 'number' ? String(o.value) : typeof o.value === 'string' ? o.value.trim() : '';
    if (!analyte) problems.push(issue('required', `results[${i}].analyte: is required`, `results[${i}].analyte`));
    if (!value) problems.push(issue('required', `results[${i}].value: is required`, `results[${i}].value`));
    return analyte && value ? [{ analyte, value }] : [];
  });
  if (problems.length > 0) throw new FhirError(400, problems);
  return { results, reason };
}

export function amendReport(repo: FhirRepository, ctx: RequestContext, id: string, request: AmendRequest, pathologist: Person): Promise<string> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const { work, order } = await loadReportWork(tx, ctx.hospitalId, id);
    const status = order.report!.resource.status;
    const problems: OperationOutcomeIssue[] = [];
    const items: ResultItem[] = [];
    request.results.forEach((r, i) => {
      const analyte = order.analytes.find((a) => a.key === r.analyte);
      if (!analyte) { problems.push(issue('invalid', `results[${i}].analyte: ${r.analyte} is not measured in ${order.test.name}`, `results[${i}].analyte`)); return; }
      const parsed = parseValue(analyte, r.value);
      if (!parsed.ok) { problems.push(issue('invalid', `results[${i}].value: ${parsed.problem}`, `results[${i}].value`)); return; }
      items.push({ order, analyte, parsed: parsed.value });
    });
    if (problems.length > 0) throw new FhirError(400, problems);
    if (status !== 'final' && status !== 'amended') throw stateConflict(id, `is ${String(status)}; only a released (final) report is amended — correct it by entering the result again`);
    const planned = planResults(work, items, { time, status: 'amended', amendmentReason: request.reason, performer: pathologist });
    if (planned.observations === 0) throw stateConflict(id, 'already shows these values; nothing to amend');
    return { versions: planned.versions, result: id };
  }, () => id);
}
