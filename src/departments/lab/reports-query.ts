/**
 * The lists the lab desks work from: the worklist (open orders with a received sample, by stage:
 * results to enter, to validate, to authorise) and the reports (by status, patient, day). Open orders
 * are the active ServiceRequests, a set that stays small however long the lab runs.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest } from '../../fhir/outcome.js';
import { LAB_CATEGORY_SNOMED, REPORT_CATEGORY_LAB } from './lab-fhir.js';
import type { LabSectionKey, ReportView, WorklistItem } from './lab-api.js';
import { orderBrief, patientBrief, reportView } from './report-view.js';
import { accessionOf, complete, loadSpecimenWork, refId, specimenState, type OrderWork, type SpecimenWork } from './result-work.js';

const SECTIONS: LabSectionKey[] = ['haematology', 'biochemistry', 'clinical-pathology', 'serology'];
const STAGES: Array<WorklistItem['stage']> = ['entry', 'validation', 'authorisation'];

async function searchAll(repo: FhirRepository, ctx: RequestContext, type: string, params: Array<[string, string]>, limit: number): Promise<FhirResource[]> {
  const found: FhirResource[] = [];
  for (let offset = 0; found.length < limit; offset += 500) {
    const bundle = await repo.search(ctx, type, [...params, ['_count', '500'], ['_offset', String(offset)]]) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
    const page = (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match').map((e) => e.resource!);
    found.push(...page);
    if (page.length < 500) break;
  }
  return found.slice(0, limit);
}

export function stageOf(order: OrderWork): WorklistItem['stage'] | undefined {
  const status = order.report?.resource.status;
  if (!status || status === 'partial') return complete(order) && status === 'partial' ? 'validation' : 'entry';
  return status === 'preliminary' ? 'authorisation' : undefined;
}

export function readSection(raw: string | undefined): LabSectionKey | undefined {
  if (!raw) return undefined;
  if (!SECTIONS.includes(raw as LabSectionKey)) throw badRequest(`section is one of ${SECTIONS.join(', ')}`, 'section');
  return raw as LabSectionKey;
}

export function readStage(raw: string | undefined): WorklistItem['stage'] | undefined {
  if (!raw) return undefined;
  if (!STAGES.includes(raw as WorklistItem['stage'])) throw badRequest(`stage is one of ${STAGES.join(', ')}`, 'stage');
  return raw as WorklistItem['stage'];
}

export async function worklist(repo: FhirRepository, ctx: RequestContext, filter: { section?: LabSectionKey; stage?: WorklistItem['stage'] }): Promise<WorklistItem[]> {
  const open = await searchAll(repo, ctx, 'ServiceRequest', [['status', 'active'], ['category', `${LAB_CATEGORY_SNOMED.system}|${LAB_CATEGORY_SNOMED.code}`], ['_sort', 'authored']], 5000);
  const specimens = [...new Set(open.flatMap((sr) => ((sr.specimen as unknown[] | undefined) ?? []).map(refId)).filter(Boolean))];
  const items: WorklistItem[] = [];
  const openIds = new Set(open.map((sr) => sr.id as string));
  for (const id of specimens) {
    const work = await loadSpecimenWork(repo.db, ctx.hospitalId, id).catch(() => undefined);
    if (!work || specimenState(work.specimen.resource) !== 'received') continue;
    for (const order of work.orders) {
      if (!openIds.has(order.order.resource.id as string)) continue;
      const stage = stageOf(order);
      if (!stage || (filter.stage && stage !== filter.stage) || (filter.section && order.test.section !== filter.section)) continue;
      items.push(await itemOf(repo, ctx, work, order, stage));
    }
  }
  const rank = { stat: 0, urgent: 1, routine: 2 };
  return items.sort((a, b) => rank[a.order.priority] - rank[b.order.priority] || a.specimen.receivedAt.localeCompare(b.specimen.receivedAt));
}

async function itemOf(repo: FhirRepository, ctx: RequestContext, work: SpecimenWork, order: OrderWork, stage: WorklistItem['stage']): Promise<WorklistItem> {
  const view = await reportView(repo.db, ctx, work, order);
  const specimen = work.specimen.resource;
  return {
    ...(order.report ? { report: order.report.resource.id as string } : {}),
    specimen: { id: specimen.id as string, accession: accessionOf(specimen), receivedAt: String(specimen.receivedTime ?? ''), name: view.specimen.name },
    patient: patientBrief(work.patient, refId(specimen.subject)),
    order: orderBrief(order), section: order.test.section, stage, results: view.results,
  };
}

export interface ReportFilter { status?: string; patient?: string; start?: string; end?: string }

export async function reportList(repo: FhirRepository, ctx: RequestContext, filter: ReportFilter, visible: (report: FhirResource) => Promise<boolean>): Promise<ReportView[]> {
  const params: Array<[string, string]> = [['category', `${REPORT_CATEGORY_LAB.system}|${REPORT_CATEGORY_LAB.code}`], ['_sort', '-date']];
  if (filter.status) params.push(['status', filter.status]);
  if (filter.patient) params.push(['subject', `Patient/${filter.patient}`]);
  if (filter.start) params.push(['date', `ge${filter.start}`]);
  if (filter.end) params.push(['date', `lt${filter.end}`]);
  const views: ReportView[] = [];
  for (const report of await searchAll(repo, ctx, 'DiagnosticReport', params, 500)) {
    if (!await visible(report)) continue;
    const work = await loadSpecimenWork(repo.db, ctx.hospitalId, refId((report.specimen as unknown[] | undefined)?.[0])).catch(() => undefined);
    const order = work?.orders.find((o) => o.report?.resource.id === report.id);
    if (work && order) views.push(await reportView(repo.db, ctx, work, order));
  }
  return views;
}
