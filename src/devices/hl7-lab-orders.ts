/**
 * Lab orders from OML^O21 and ORM^O01. Each ORDER group is an ORC and its OBR (observation request);
 * an OBR without an ORC of its own inherits the one before it (common in v2.3 senders), but an OBR with
 * no ORC at all, or an ORC that starts no OBR while carrying a diet, supply or pharmacy order, is not a
 * laboratory order the gateway can act on.
 */
import type { DeviceOrder, DeviceOrderMessage } from './lab-device-types.js';
import { specimenIdentifiers } from './lab-device-types.js';
import type { Hl7Message } from './hl7-message.js';
import { hl7FieldText } from './hl7-message.js';
import { readObr, readOrc, readPatientIds, readSpmIds, type OrcFields, type OrderFields } from './hl7-lab-segments.js';
import { Hl7ErrorCode } from './hl7-parser.js';
import type { ExtractionFailure } from './hl7-lab-results.js';

export const ORDER_MESSAGES = ['OML^O21', 'ORM^O01'] as const;

/** Order-detail segments of non-laboratory orders (pharmacy, diet, supply, imaging-only …). */
const OTHER_ORDER_DETAIL = ['RXO', 'RXE', 'ODS', 'ODT', 'RQD', 'RQ1'];

interface Pending { orc: OrcFields; obr?: OrderFields; specimenIds: string[]; patientIds: string[] }

export function extractLabOrders(message: Hl7Message): { ok: true; orders: DeviceOrderMessage } | ExtractionFailure {
  const key = `${message.header.messageType.code}^${message.header.messageType.trigger}`;
  const groups: Pending[] = [];
  const otherDetail = new Set<string>();
  let current: Pending | undefined;
  let patientIds: string[] = [];

  for (const s of message.segments) {
    if (s.name === 'PID') { patientIds = readPatientIds(s); current = undefined; continue; }
    if (s.name === 'ORC') { current = { orc: readOrc(s), specimenIds: [], patientIds }; groups.push(current); continue; }
    if (s.name === 'OBR') {
      if (!current) {
        return { ok: false, reason: `${key}: OBR without a preceding ORC (the ORDER group needs an ORC)`, errorCode: Hl7ErrorCode.segmentSequence, location: { segment: 'ORC' } };
      }
      if (current.obr) { current = { orc: current.orc, specimenIds: [], patientIds }; groups.push(current); }
      current.obr = readObr(s);
      continue;
    }
    if (s.name === 'SPM' && current) {
      const ids = readSpmIds(s);
      current.specimenIds.push(...[ids.filler, ids.placer].filter(Boolean));
      continue;
    }
    if (OTHER_ORDER_DETAIL.includes(s.name)) otherDetail.add(s.name);
  }

  if (groups.length === 0) {
    return { ok: false, reason: `${key} has no ORC segment: the message carries no order`, errorCode: Hl7ErrorCode.segmentSequence, location: { segment: 'ORC' } };
  }
  const lab = groups.filter((g) => g.obr);
  if (lab.length === 0) {
    const kinds = otherDetail.size > 0 ? ` (it carries ${[...otherDetail].join('/')})` : '';
    // AR, not AE: resending the same non-lab order to the lab gateway can never succeed.
    return { ok: false, reason: `${key} has no OBR: not a laboratory order${kinds}`, errorCode: Hl7ErrorCode.unsupportedMessageType, location: { segment: 'OBR' } };
  }
  const orders: DeviceOrder[] = lab.map((g) => ({
    control: g.orc.control,
    tests: g.obr?.service ? [g.obr.service] : [],
    specimen: specimenIdentifiers({
      specimenIds: g.specimenIds,
      fillerOrderNumber: g.obr?.fillerOrderNumber || g.orc.fillerOrderNumber,
      placerOrderNumber: g.obr?.placerOrderNumber || g.orc.placerOrderNumber,
    }),
    priority: g.obr?.priority,
    patientIds: g.patientIds,
    requestedAt: g.orc.transactionAt,
  }));
  return { ok: true, orders: { protocol: 'hl7v2', messageId: message.header.controlId, sender: hl7FieldText(message.header.sendingApplication), orders } };
}
