/**
 * Lab results from ORU^R01 and OUL^R22/R23/R24. The segment groups differ between the structures:
 * ORU and OUL^R24 are order-first (OBR, then its OBX and SPM); OUL^R22/R23 are specimen-first (SPM,
 * its OBX, then OBR and the OBX results). The walk below follows either order instead of enforcing one
 * grammar, because real senders (and the v2.7+ PRT/patient OBX segments) stray from it; every OBX ends
 * up with the order and specimen it belongs to, or with the patient when it precedes both.
 */
import type { DeviceObservation, DeviceResultReport } from './lab-device-types.js';
import { specimenIdentifiers } from './lab-device-types.js';
import type { Hl7Message, Hl7Segment } from './hl7-message.js';
import { hl7FieldText } from './hl7-message.js';
import { interpretObxValue } from './hl7-observation-value.js';
import { readObr, readObx, readOrc, readPatientIds, readSpmIds, type OrderFields } from './hl7-lab-segments.js';
import { Hl7ErrorCode } from './hl7-parser.js';

export type ExtractionFailure = {
  readonly ok: false;
  readonly reason: string;
  readonly errorCode: string;
  readonly location?: { segment: string; sequence?: number; field?: number };
};

export const RESULT_MESSAGES = ['ORU^R01', 'OUL^R22', 'OUL^R23', 'OUL^R24'] as const;

interface OrderState { fields: OrderFields; orcFiller: string; orcPlacer: string; specimenIds: string[]; obx: PendingObx[] }
interface PendingObx { segment: Hl7Segment; context: DeviceObservation['context']; specimenIds: string[]; order?: OrderState }

export function extractLabResults(message: Hl7Message): { ok: true; report: DeviceResultReport } | ExtractionFailure {
  const key = `${message.header.messageType.code}^${message.header.messageType.trigger}`;
  const specimenFirst = key === 'OUL^R22' || key === 'OUL^R23';
  const patientIds: string[] = [];
  const pending: PendingObx[] = [];
  let order: OrderState | undefined;
  let specimenIds: string[] = [];
  let pendingOrc: { filler: string; placer: string } | undefined;
  let sawObr = false;
  let sawSpm = false;

  for (const s of message.segments) {
    switch (s.name) {
      case 'PID': patientIds.push(...readPatientIds(s)); order = undefined; specimenIds = []; break;
      case 'SPM': {
        sawSpm = true;
        const ids = readSpmIds(s);
        specimenIds = [ids.filler, ids.placer].filter(Boolean);
        if (specimenFirst) order = undefined;
        else if (order) order.specimenIds.push(...specimenIds);
        break;
      }
      case 'ORC': {
        const orc = readOrc(s);
        // In OUL^R22-R24 ORC follows its OBR; in ORU it precedes the OBR it belongs to.
        if (key.startsWith('OUL') && order && !order.orcFiller && !order.orcPlacer) {
          order.orcFiller = orc.fillerOrderNumber; order.orcPlacer = orc.placerOrderNumber;
        } else pendingOrc = { filler: orc.fillerOrderNumber, placer: orc.placerOrderNumber };
        break;
      }
      case 'OBR':
        sawObr = true;
        order = { fields: readObr(s), orcFiller: pendingOrc?.filler ?? '', orcPlacer: pendingOrc?.placer ?? '', specimenIds: specimenFirst ? [...specimenIds] : [], obx: [] };
        pendingOrc = undefined;
        if (!specimenFirst) specimenIds = [];
        break;
      case 'OBX': {
        const context = order ? 'order' : specimenIds.length > 0 || sawSpm ? 'specimen' : 'patient';
        const p: PendingObx = { segment: s, context, specimenIds: [...specimenIds], order };
        pending.push(p);
        order?.obx.push(p);
        break;
      }
    }
  }

  if (key === 'ORU^R01' && !sawObr) return missing('OBR', 'ORU^R01 has no OBR segment: results cannot be tied to an order');
  if (specimenFirst && !sawSpm) return missing('SPM', `${key} has no SPM segment: results cannot be tied to a specimen`);
  if (pending.length === 0) return missing('OBX', `${key} has no OBX segment: the message carries no result`);

  const instrument = hl7FieldText(message.header.sendingApplication) || 'unknown';
  const observations = pending.map((p) => toObservation(p, instrument));
  return {
    ok: true,
    report: {
      protocol: 'hl7v2', messageId: message.header.controlId, instrument, processingId: message.header.processingId,
      patientIds: [...new Set(patientIds)], observations, complete: true,
    },
  };
}

function toObservation(p: PendingObx, instrument: string): DeviceObservation {
  const obx = readObx(p.segment);
  const value = interpretObxValue(obx.valueType, obx.valueRepetitions, obx.resultStatus);
  const issues = [...value.issues];
  if (!obx.identifier) issues.push('OBX-3 observation identifier is empty');
  const o = p.order;
  // An OBX inside an order group takes the order's specimen unless it followed its own SPM.
  const specimenIds = p.specimenIds.length > 0 ? p.specimenIds : o?.specimenIds ?? [];
  return {
    setId: obx.setId,
    valueType: obx.valueType || undefined,
    test: obx.identifier ?? { code: '', components: [] },
    value: value.value,
    values: value.values,
    numericValue: value.numericValue,
    codedValue: value.codedValue,
    units: obx.units,
    referenceRange: obx.referenceRange,
    abnormalFlags: obx.abnormalFlags,
    resultStatus: obx.resultStatus ?? o?.fields.resultStatus,
    observedAt: obx.observedAt ?? obx.analyzedAt ?? o?.fields.observedAt,
    performingDevice: obx.equipment ?? instrument,
    operator: obx.responsibleObserver,
    specimen: specimenIdentifiers({
      specimenIds,
      fillerOrderNumber: o?.fields.fillerOrderNumber || o?.orcFiller,
      placerOrderNumber: o?.fields.placerOrderNumber || o?.orcPlacer,
    }),
    context: p.context,
    issues,
  };
}

function missing(segment: string, reason: string): ExtractionFailure {
  return { ok: false, reason, errorCode: Hl7ErrorCode.segmentSequence, location: { segment } };
}
