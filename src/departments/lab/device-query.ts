/**
 * An analyzer's host query ("what should I run on these tubes?"): for each accession number, the
 * instrument codes of the analytes its open orders still need (none entered yet, report not
 * released), stat first. A tube we do not know, or with nothing left to run, gets no order.
 */
import type { RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { AnalyzerOrder, DeviceHostQuery } from '../../devices/lab-device-types.js';
import { UHID_SYSTEM } from '../registration/uhid.js';
import { specimenByAccession } from './device-results.js';
import { instrumentCodeOf } from './instrument-codes.js';
import { loadSpecimenWork, specimenState } from './result-work.js';

export async function answerHostQuery(repo: FhirRepository, ctx: RequestContext, query: DeviceHostQuery): Promise<AnalyzerOrder[]> {
  const orders: AnalyzerOrder[] = [];
  for (const accession of [...new Set(query.specimenIds.map((s) => s.trim()).filter(Boolean))].slice(0, 500)) {
    const specimen = await specimenByAccession(repo, ctx, repo.db, [accession]);
    if (!specimen) continue;
    const work = await loadSpecimenWork(repo.db, ctx.hospitalId, specimen.id as string);
    if (specimenState(work.specimen.resource) === 'rejected') continue;
    const codes: string[] = [];
    let stat = false;
    for (const order of work.orders) {
      const released = order.report?.resource.status;
      if (order.order.resource.status !== 'active' || released === 'final' || released === 'amended') continue;
      for (const analyte of order.analytes) {
        if (analyte.result !== 'quantity' || order.observations.has(analyte.key)) continue;
        const code = instrumentCodeOf(analyte);
        if (!codes.includes(code)) codes.push(code);
      }
      if (order.order.resource.priority === 'stat') stat = true;
    }
    if (codes.length === 0) continue;
    const uhid = ((work.patient?.identifier as Array<{ system?: string; value?: string }> | undefined) ?? []).find((i) => i.system === UHID_SYSTEM)?.value;
    orders.push({ specimenId: accession, testCodes: codes, priority: stat ? 'S' : 'R', ...(uhid ? { patientId: uhid } : {}) });
  }
  return orders;
}
