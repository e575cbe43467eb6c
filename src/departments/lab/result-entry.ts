/**
 * The technician's result entry for one specimen (POST /specimens/:id/results): every value checked
 * against its analyte (a number to its decimals, one of its answers, or text), then, under the chain
 * lock, the sample must be received and not rejected, each order one this sample serves, still open
 * and not yet released. All of it is one ledger entry (Observations, critical-value Communications,
 * reports) or nothing; every bad field is reported at once, each issue naming it (results[2].value).
 */
import type { RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue, type OperationOutcomeIssue } from '../../fhir/outcome.js';
import type { ResultEntryRequest } from './lab-api.js';
import { appendLab, reportsWritten, requireRequestId } from './result-ledger.js';
import { planResults, type ResultItem } from './result-writes.js';
import type { Person } from './result-resources.js';
import { loadSpecimenWork, specimenState, type SpecimenWork } from './result-work.js';
import { parseValue } from './value-parsing.js';

const MAX_RESULTS = 200;

export function readResultEntry(body: Record<string, unknown>): ResultEntryRequest {
  const problems: OperationOutcomeIssue[] = [];
  const bad = (field: string, text: string) => problems.push(issue('invalid', `${field}: ${text}`, field));
  const raw = body.results;
  if (!Array.isArray(raw) || raw.length === 0) throw new FhirError(400, issue('required', 'results: give at least one {order, analyte, value}', 'results'));
  if (raw.length > MAX_RESULTS) throw new FhirError(400, issue('invalid', `results: at most ${MAX_RESULTS} at a time`, 'results'));
  const results = raw.flatMap((r: unknown, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) { bad(`results[${i}]`, 'must be an object {order, analyte, value}'); return []; }
    const o = r as Record<string, unknown>;
    const text = (key: string) => {
      const v = o[key];
      if (typeof v === 'number' && key === 'value') return String(v);
      if (typeof v !== 'string' || v.trim() === '') { bad(`results[${i}].${key}`, 'is required (text)'); return undefined; }
      return v.trim();
    };
    const [order, analyte, value] = [text('order'), text('analyte'), text('value')];
    return order && analyte && value !== undefined ? [{ order: order.replace(/^ServiceRequest\//, ''), analyte, value }] : [];
  });
  results.forEach((r, i) => {
    if (results.findIndex((x) => x.order === r.order && x.analyte === r.analyte) < i) bad(`results[${i}].analyte`, `${r.analyte} is given twice for ${r.order}`);
  });
  if (problems.length > 0) throw new FhirError(400, problems);
  return { results };
}

/** The items to write, or a 400/409 naming what is wrong. */
function itemsOf(work: SpecimenWork, request: ResultEntryRequest): ResultItem[] {
  const specimenId = work.specimen.resource.id as string;
  const state = specimenState(work.specimen.resource);
  if (state === 'rejected') throw new FhirError(409, issue('business-rule', `Specimen/${specimenId} was rejected; results are entered on a new sample`));
  if (state === 'collected') throw new FhirError(409, issue('business-rule', `Specimen/${specimenId} has not been received in the laboratory yet: receive it first`));
  const problems: OperationOutcomeIssue[] = [];
  const conflicts: OperationOutcomeIssue[] = [];
  const items: ResultItem[] = [];
  request.results.forEach((r, i) => {
    const order = work.orders.find((o) => o.order.resource.id === r.order);
    if (!order) { problems.push(issue('invalid', `results[${i}].order: ServiceRequest/${r.order} is not an order this sample serves`, `results[${i}].order`)); return; }
    const analyte = order.analytes.find((a) => a.key === r.analyte);
    if (!analyte) { problems.push(issue('invalid', `results[${i}].analyte: ${r.analyte} is not measured in ${order.test.name} (${order.analytes.map((a) => a.key).join(', ')})`, `results[${i}].analyte`)); return; }
    const parsed = parseValue(analyte, r.value);
    if (!parsed.ok) { problems.push(issue('invalid', `results[${i}].value: ${parsed.problem}`, `results[${i}].value`)); return; }
    const status = order.report?.resource.status;
    if (status === 'final' || status === 'amended') conflicts.push(issue('business-rule', `results[${i}].order: the report of ${order.test.name} is released (${String(status)}); a pathologist amends it`, `results[${i}].order`));
    else if (order.order.resource.status !== 'active') conflicts.push(issue('business-rule', `results[${i}].order: ServiceRequest/${r.order} is ${String(order.order.resource.status)}, not open for results`, `results[${i}].order`));
    items.push({ order, analyte, parsed: parsed.value });
  });
  if (problems.length > 0) throw new FhirError(400, problems);
  if (conflicts.length > 0) throw new FhirError(409, conflicts);
  return items;
}

/** Writes the results; returns the ids of the reports they belong to. */
export function enterResults(repo: FhirRepository, ctx: RequestContext, specimenId: string, request: ResultEntryRequest, performer?: Person): Promise<string[]> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const work = await loadSpecimenWork(tx, ctx.hospitalId, specimenId);
    const planned = planResults(work, itemsOf(work, request), { time, status: 'preliminary', ...(performer ? { performer } : {}) });
    const reports = [...new Set(request.results.map((r) => work.orders.find((o) => o.order.resource.id === r.order)!.report?.resource.id as string).filter(Boolean))];
    return { versions: planned.versions, result: reports.length > 0 ? reports : planned.reports };
  }, reportsWritten);
}
