/**
 * Orders that arrive over HL7 (OML^O21, ORM^O01 from another system) become lab ServiceRequests in
 * the shape the consultation writes them. The patient is found by the UHID among the message's
 * patient identifiers, each test in the catalogue (its LOINC code, service code LAB-<KEY> or key).
 * Anything unknown refuses the whole message with the reason, so the sender keeps it and a person
 * can look; nothing is half-written. Ids derive from the sender, patient, placer order number and
 * test, so a message sent again creates nothing new (message ids are reused across senders).
 */
import { createHash } from 'node:crypto';
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate } from '../../fhir/repository/version-plans.js';
import type { DeviceOrderMessage, SinkOutcome } from '../../devices/lab-device-types.js';
import { LAB_TESTS, labServiceCode, type LabTest } from '../../hospital/seed/lab-catalogue.js';
import { activityDefinition } from '../../hospital/seed/lab-definitions.js';
import { canonicalUhid, UHID_SYSTEM } from '../registration/uhid.js';
import type { VersionWrite } from '../../store/ledger-entry.js';
import { LAB_CATEGORY_SNOMED } from './lab-fhir.js';
import { appendLab } from './result-ledger.js';
import { testByName } from './result-catalogue.js';
import { live } from './result-work.js';
import { deviceTime } from './review.js';

export const PLACER_ORDER_SYSTEM = 'https://nirantar.health/placer-order';
const byLoinc = new Map(LAB_TESTS.filter((t) => t.loinc).map((t) => [t.loinc!.code, t]));
const PRIORITY: Record<string, string> = { S: 'stat', A: 'urgent', R: 'routine' };

function testOf(code: string, text?: string): LabTest | undefined {
  return byLoinc.get(code.trim()) ?? testByName(code) ?? (text ? LAB_TESTS.find((t) => t.name.toLowerCase() === text.trim().toLowerCase()) : undefined);
}

async function patientOf(repo: FhirRepository, ctx: RequestContext, ids: readonly string[]): Promise<FhirResource | undefined> {
  for (const raw of ids) {
    const uhid = canonicalUhid(raw.split('^')[0] ?? '');
    if (!uhid) continue;
    const bundle = await repo.search(ctx, 'Patient', [['identifier', `${UHID_SYSTEM}|${uhid}`], ['_count', '2']]) as { entry?: Array<{ resource?: FhirResource; search?: { mode?: string } }> };
    const found = (bundle.entry ?? []).find((e) => e.resource && (e.search?.mode ?? 'match') === 'match')?.resource;
    if (found) return found;
  }
  return undefined;
}

export async function receiveDeviceOrders(repo: FhirRepository, ctx: RequestContext, message: DeviceOrderMessage): Promise<SinkOutcome> {
  const planned: Array<{ id: string; resource: FhirResource }> = [];
  for (const [i, order] of message.orders.entries()) {
    if (order.control !== 'NW') return { accepted: false, reason: `order ${i + 1}: order control ${order.control || '(none)'} is not handled here (only NW, a new order); a person must act on it` };
    const patient = await patientOf(repo, ctx, order.patientIds);
    if (!patient) return { accepted: false, reason: `order ${i + 1}: no registered patient with a UHID among the identifiers sent` };
    if (order.tests.length === 0) return { accepted: false, reason: `order ${i + 1}: no test named` };
    for (const coded of order.tests) {
      const test = testOf(coded.code, coded.text);
      if (!test) return { accepted: false, reason: `order ${i + 1}: test ${coded.code}${coded.text ? ` (${coded.text})` : ''} is not in the laboratory catalogue` };
      const placer = order.specimen.placerOrderNumber ?? order.specimen.fillerOrderNumber ?? `${message.messageId}/${i + 1}`;
      const id = `lab-hl7-${createHash('sha256').update([message.sender, patient.id, placer, test.key].join('|')).digest('hex').slice(0, 32)}`;
      if (planned.some((p) => p.id === id)) continue;
      const definition = activityDefinition(test);
      const authoredOn = deviceTime(order.requestedAt);
      planned.push({
        id,
        resource: {
          resourceType: 'ServiceRequest', id,
          identifier: [{ system: `${PLACER_ORDER_SYSTEM}/${encodeURIComponent(message.sender || 'unknown')}`, value: placer }],
          instantiatesCanonical: [definition.url as string],
          status: 'active', intent: 'order', priority: PRIORITY[order.priority ?? ''] ?? 'routine',
          category: [{ coding: [LAB_CATEGORY_SNOMED], text: 'Laboratory' }],
          code: definition.code, subject: { reference: `Patient/${patient.id as string}` },
          ...(authoredOn && authoredOn.includes('T') ? { authoredOn } : {}),
          note: [{ text: `Received over HL7 from ${message.sender || 'an unnamed sender'} (${labServiceCode(test)})` }],
        },
      });
    }
  }
  await appendLab(repo, ctx, 'transaction', async (tx, time) => {
    const versions: VersionWrite[] = [];
    for (const p of planned) {
      if (await live(tx, ctx.hospitalId, 'ServiceRequest', p.id)) continue;
      versions.push(planCreate(validated({ ...p.resource, ...(p.resource.authoredOn ? {} : { authoredOn: time }) }, 'ServiceRequest'), time, p.id).version);
    }
    return { versions, result: undefined };
  }, () => undefined);
  return { accepted: true };
}
