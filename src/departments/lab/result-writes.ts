/**
 * Plans the versions a set of results writes on one specimen, for manual entry, device intake, review
 * assignment and amendment alike, so flags, critical alerts and the report follow one rule: each
 * analyte's Observation gets a new version (an unchanged value writes nothing), a critical value a
 * Communication to the ordering doctor (one per Observation version), and each order touched its
 * DiagnosticReport listing its results. The caller appends the versions as one ledger entry.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate, planUpdate } from '../../fhir/repository/version-plans.js';
import type { Analyte } from '../../hospital/seed/lab-catalogue.js';
import { indiaDay } from '../../printing/india-time.js';
import type { VersionWrite } from '../../store/ledger-entry.js';
import { interpretCode, interpretNumber, patientFacts, type Interpretation } from './interpretation.js';
import { AMENDMENT_REASON, DEVICE_RESULT_SYSTEM, TECHNICAL_VALIDATION } from './lab-fhir.js';
import { buildCriticalAlert, buildObservation, buildReport, type Person } from './result-resources.js';
import { collectedAt, type OrderWork, type SpecimenWork } from './result-work.js';
import type { ParsedValue } from './value-parsing.js';

export interface ResultItem {
  order: OrderWork;
  analyte: Analyte;
  parsed: ParsedValue;
  device?: string;
  /** The device result's hash (DEVICE_RESULT_SYSTEM), kept on the Observation so a resend is seen. */
  deviceResult?: string;
  note?: string;
}

export interface ResultPlanOptions {
  time: string;
  performer?: Person;
  status: 'preliminary' | 'amended';
  amendmentReason?: string;
}

export interface PlannedResults {
  versions: VersionWrite[];
  /** Report ids touched, in order. */
  reports: string[];
  /** Observations written (new versions). */
  observations: number;
  alerts: number;
}

export function interpret(analyte: Analyte, parsed: ParsedValue, work: SpecimenWork): Interpretation {
  const on = indiaDay(collectedAt(work.specimen.resource) ?? new Date());
  if (parsed.kind === 'quantity') return interpretNumber(analyte, parsed.value, patientFacts(work.patient, on));
  if (parsed.kind === 'coded') return interpretCode(analyte, parsed.code);
  return { critical: false };
}

const deviceIdentifiers = (observation: FhirResource | undefined) =>
  ((observation?.identifier as Array<{ system?: string; value?: string }> | undefined) ?? [])
    .filter((i): i is { system: string; value: string } => i.system === DEVICE_RESULT_SYSTEM && typeof i.value === 'string');

export function planResults(work: SpecimenWork, items: ResultItem[], options: ResultPlanOptions): PlannedResults {
  const { time } = options;
  const planned: PlannedResults = { versions: [], reports: [], observations: 0, alerts: 0 };
  const orders = [...new Set(items.map((i) => i.order))];
  for (const order of orders) {
    let changed = false;
    const report = order.report?.resource.id as string | undefined ?? buildReport(work, order, [], 'partial').id as string;
    for (const item of items.filter((i) => i.order === order)) {
      const current = order.observations.get(item.analyte.key);
      const interpretation = interpret(item.analyte, item.parsed, work);
      const identifiers = deviceIdentifiers(current?.resource);
      if (item.deviceResult && !identifiers.some((i) => i.value === item.deviceResult)) identifiers.push({ system: DEVICE_RESULT_SYSTEM, value: item.deviceResult });
      const observation = validated(buildObservation({
        work, order, analyte: item.analyte, parsed: item.parsed, interpretation, status: options.status, time,
        ...(options.performer && !item.device ? { performer: options.performer } : {}),
        ...(item.device ? { device: item.device } : {}),
        identifiers, ...(item.note ? { note: item.note } : {}),
        ...(options.amendmentReason ? { amendmentReason: options.amendmentReason } : {}),
      }), 'Observation');
      // The same value typed or sent again is not a new result: no version, no second alert.
      if (current && planUpdate({ ...observation, issued: current.resource.issued }, observation.id as string, current.version, time).unchanged) continue;
      const plan = planUpdate(observation, observation.id as string, current?.version, time);
      if (plan.unchanged) continue;
      changed = true;
      planned.versions.push(plan.version);
      planned.observations++;
      const written = plan.version.resource as FhirResource;
      order.observations.set(item.analyte.key, { resource: written, version: { versionId: plan.version.versionId, lastUpdated: time, deleted: false, resource: written } });
      if (interpretation.critical && interpretation.flag) {
        const requester = order.order.resource.requester as Person | undefined;
        const alert = buildCriticalAlert(written, plan.version.versionId, report, requester, item.analyte, item.parsed.text, interpretation.flag, time, options.performer);
        planned.versions.push(planCreate(validated(alert, 'Communication'), time, alert.id as string).version);
        planned.alerts++;
      }
    }
    if (!changed) continue;
    const results = order.analytes.filter((a) => order.observations.has(a.key)).map((a) => order.observations.get(a.key)!.resource.id as string);
    const currentExtensions = (order.report?.resource.extension as Array<{ url: string }> | undefined) ?? [];
    let resource: FhirResource;
    if (options.status === 'amended') {
      const extension = [...currentExtensions, { url: AMENDMENT_REASON, valueString: options.amendmentReason ?? '' }];
      const interpreters = ((order.report?.resource.resultsInterpreter as Person[] | undefined) ?? []).filter((p) => p.reference !== options.performer?.reference);
      resource = buildReport(work, order, results, 'amended', {
        extension, issued: time, ...(options.performer ? { resultsInterpreter: [...interpreters, options.performer] } : {}),
      });
    } else {
      // New values undo a technical validation: it was of the values before.
      const extension = currentExtensions.filter((e) => e.url !== TECHNICAL_VALIDATION);
      resource = buildReport(work, order, results, 'partial', { extension: extension.length > 0 ? extension : undefined });
    }
    const reportPlan = planUpdate(validated(resource, 'DiagnosticReport'), resource.id as string, order.report?.version, time);
    if (!reportPlan.unchanged) {
      planned.versions.push(reportPlan.version);
      const written = reportPlan.version.resource as FhirResource;
      order.report = { resource: written, version: { versionId: reportPlan.version.versionId, lastUpdated: time, deleted: false, resource: written } };
    }
    if (!planned.reports.includes(resource.id as string)) planned.reports.push(resource.id as string);
  }
  return planned;
}
