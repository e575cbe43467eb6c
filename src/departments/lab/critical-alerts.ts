/**
 * Critical values as the doctors and the lab see them (lab-api.ts CriticalAlert): the Communications
 * result entry raised, read back with the value of the Observation version that raised each (its id
 * is derived from that version, lab-fhir.ts criticalAlertId), and acknowledged by the doctor they
 * were sent to: status completed, received = when, a note naming who.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { history } from '../../fhir/repository/history.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import { ANALYTES } from '../../hospital/seed/lab-catalogue.js';
import { analyteCoding } from '../../hospital/seed/lab-definitions.js';
import type { Queryable } from '../../store/database.js';
import type { CriticalAlert } from './lab-api.js';
import { CRITICAL_ALERT_CATEGORY, criticalAlertId, type Flag } from './lab-fhir.js';
import { patientBrief } from './report-view.js';
import type { Person } from './result-resources.js';
import { appendLab, requireRequestId } from './result-ledger.js';
import { live, refId } from './result-work.js';
import { validated } from '../../fhir/repository/validated.js';
import { planUpdate } from '../../fhir/repository/version-plans.js';
import { valueText } from './value-parsing.js';

type Ref = { reference?: string; display?: string };
const analyteByCode = new Map(ANALYTES.map((a) => [analyteCoding(a).code, a]));

async function raisingVersion(db: Queryable, ctx: RequestContext, observationId: string, alertId: string): Promise<FhirResource | undefined> {
  const bundle = await history(db, ctx, { resourceType: 'Observation', id: observationId, params: new URLSearchParams({ _count: '1000' }) }) as { entry?: Array<{ resource?: FhirResource }> };
  return (bundle.entry ?? []).map((e) => e.resource).find((r) => r && criticalAlertId(observationId, String((r.meta as { versionId?: string }).versionId)) === alertId);
}

export async function alertView(repo: FhirRepository, ctx: RequestContext, alert: FhirResource): Promise<CriticalAlert> {
  const about = (alert.about as Ref[] | undefined) ?? [];
  const observationId = refId(about.find((a) => a.reference?.startsWith('Observation/')));
  const report = refId(about.find((a) => a.reference?.startsWith('DiagnosticReport/')));
  const observation = await raisingVersion(repo.db, ctx, observationId, alert.id as string);
  const code = (observation?.code as { coding?: Array<{ code?: string }> } | undefined)?.coding?.[0]?.code ?? '';
  const analyte = analyteByCode.get(code);
  const flag = (observation?.interpretation as Array<{ coding?: Array<{ code?: string }> }> | undefined)?.[0]?.coding?.[0]?.code as Flag | undefined;
  const patientId = refId(alert.subject);
  const patient = patientId ? (await live(repo.db, ctx.hospitalId, 'Patient', patientId))?.resource : undefined;
  const recipient = (alert.recipient as Ref[] | undefined)?.[0];
  const ack = (alert.note as Array<{ authorReference?: Ref; time?: string }> | undefined)?.find((n) => n.authorReference);
  return {
    id: alert.id as string, patient: patientBrief(patient, patientId), report,
    analyte: analyte?.key ?? code, value: observation ? valueText(analyte, observation) ?? '' : '',
    ...(analyte?.unit ? { unit: analyte.unit.display } : {}),
    flag: flag === 'HH' || flag === 'LL' ? flag : 'A',
    ...(recipient ? { recipient: recipient.display ?? recipient.reference } : {}),
    raisedAt: String(alert.sent ?? ''),
    status: alert.status === 'completed' ? 'acknowledged' : 'open',
    ...(ack ? { acknowledgedBy: ack.authorReference?.display ?? ack.authorReference?.reference, acknowledgedAt: ack.time ?? String(alert.received ?? '') } : {}),
  };
}

/** The alerts, newest first: to one doctor (`recipient`), or all (the lab). */
export async function listAlerts(repo: FhirRepository, ctx: RequestContext, options: { recipient?: string; open: boolean }): Promise<FhirResource[]> {
  const params: Array<[string, string]> = [['category', `${CRITICAL_ALERT_CATEGORY.system}|${CRITICAL_ALERT_CATEGORY.code}`], ['_sort', '-sent'], ['_count', '500']];
  if (options.recipient) params.push(['recipient', options.recipient]);
  if (options.open) params.push(['status', 'in-progress']);
  const bundle = await repo.search(ctx, 'Communication', params) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
  return (bundle.entry ?? []).filter((e) => e.resource && (e.search?.mode ?? 'match') === 'match').map((e) => e.resource!);
}

/** Loads a critical alert; 404 for anything else. */
export async function loadAlert(repo: FhirRepository, ctx: RequestContext, id: string): Promise<FhirResource> {
  const found = await live(repo.db, ctx.hospitalId, 'Communication', id);
  const isAlert = ((found?.resource.category as Array<{ coding?: Array<{ system?: string; code?: string }> }> | undefined) ?? [])
    .some((c) => c.coding?.some((x) => x.system === CRITICAL_ALERT_CATEGORY.system && x.code === CRITICAL_ALERT_CATEGORY.code));
  if (!found || !isAlert) throw new FhirError(404, issue('not-found', `no critical alert ${id}`));
  return found.resource;
}

/** The recipient's acknowledgement; acknowledging again changes nothing. */
export function acknowledgeAlert(repo: FhirRepository, ctx: RequestContext, id: string, by: Person, note: string | undefined): Promise<string> {
  requireRequestId(ctx);
  return appendLab(repo, ctx, 'update', async (tx, time) => {
    const current = await live(tx, ctx.hospitalId, 'Communication', id);
    if (!current) throw new FhirError(404, issue('not-found', `no critical alert ${id}`));
    if (current.resource.status === 'completed') return { versions: [], result: id };
    const recipients = ((current.resource.recipient as Ref[] | undefined) ?? []).map((r) => r.reference);
    if (recipients.length > 0 && !recipients.includes(by.reference)) {
      throw new FhirError(403, issue('forbidden', `this critical value was sent to ${recipients.join(', ')}; only they acknowledge it`));
    }
    const { meta: _meta, ...rest } = current.resource;
    const next = { ...rest, status: 'completed', received: time, note: [...((rest.note as unknown[] | undefined) ?? []), { authorReference: by, time, text: note ?? 'Critical value received' }] };
    return { versions: [planUpdate(validated(next, 'Communication'), id, current.version, time).version], result: id };
  }, () => id);
}
