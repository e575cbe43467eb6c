/**
 * A Specimen as the desks see it (SpecimenView): the tube, the patient, the orders it serves, where
 * it is in its journey and where its label prints. Reads the patient and the orders it names.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { currentVersion } from '../../fhir/repository/current-version.js';
import { specimenByKey, type SpecimenKey } from '../../hospital/seed/lab-catalogue.js';
import type { Queryable } from '../../store/database.js';
import { refId } from '../opd/opd-codes.js';
import type { SpecimenView } from './lab-api.js';
import { orderBrief } from './lab-orders.js';
import { patientBriefs } from './patient-brief.js';
import { accessionOfSpecimen, collectedAtOf, ordersOfSpecimen, rejectionOf, specimenTypeKey } from './specimen-resource.js';

export function specimenStatus(s: FhirResource): SpecimenView['status'] {
  if (s.status === 'unsatisfactory') return 'rejected';
  return s.receivedTime ? 'received' : 'collected';
}

/** The views of `specimens`, in order; `base` is where the lab routes are mounted (/api/lab). */
export async function specimenViews(db: Queryable, hospitalId: string, specimens: FhirResource[], base: string): Promise<SpecimenView[]> {
  const patients = await patientBriefs(db, hospitalId, specimens.map((s) => refId(s.subject)));
  const orderIds = [...new Set(specimens.flatMap(ordersOfSpecimen))];
  const found = await Promise.all(orderIds.map((id) => currentVersion(db, hospitalId, 'ServiceRequest', id)));
  const orders = new Map(found.flatMap((f, i) => (f?.resource && !f.deleted ? [[orderIds[i], f.resource] as const] : [])));
  return specimens.map((s) => {
    const key = specimenTypeKey(s);
    const type = key ? safeSpecimenType(key) : undefined;
    const container = (s.container as Array<{ description?: string; type?: { text?: string } }> | undefined)?.[0];
    const patientId = refId(s.subject);
    const rejection = rejectionOf(s);
    const collector = (s.collection as { collector?: { display?: string; reference?: string } } | undefined)?.collector;
    const id = s.id as string;
    return {
      id, accession: accessionOfSpecimen(s),
      patient: patients.get(patientId) ?? { id: patientId, name: '(unknown patient)', uhid: '' },
      specimenType: key, name: type?.name ?? String((s.type as { text?: string } | undefined)?.text ?? ''),
      container: container?.description ?? type?.container ?? '', capColour: container?.type?.text ?? type?.capColour ?? '',
      orders: ordersOfSpecimen(s).flatMap((o) => { const order = orders.get(o); return order ? [orderBrief(order)] : []; }),
      collectedAt: collectedAtOf(s) ?? '',
      ...(collector?.display ?? collector?.reference ? { collector: collector.display ?? collector.reference } : {}),
      ...(typeof s.receivedTime === 'string' ? { receivedAt: s.receivedTime } : {}),
      status: specimenStatus(s),
      ...(rejection ? { rejection } : {}),
      labelPdf: `${base}/specimens/${id}/label.pdf`, labelZpl: `${base}/specimens/${id}/label.zpl`,
    };
  });
}

function safeSpecimenType(key: string) {
  try { return specimenByKey(key as SpecimenKey); } catch { return undefined; }
}
