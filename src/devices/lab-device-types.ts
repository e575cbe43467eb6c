/**
 * What the device gateway hands to the laboratory, whatever the wire protocol (HL7 v2 over MLLP or
 * ASTM E1394 over TCP). The lab department implements LabDeviceSink; the gateway never writes to the
 * store itself. Values are kept as the instrument sent them (text), with a parsed number alongside,
 * so nothing is lost in conversion and "text where a number was expected" stays reviewable.
 */

/** A coded element (HL7 CWE/CE, ASTM universal test id). */
export interface CodedValue {
  readonly code: string;
  readonly text?: string;
  /** Coding system as sent (LN = LOINC, SCT = SNOMED CT, L = local …). */
  readonly system?: string;
  /** Every component as sent, for instruments that put meaning in the 4th to 8th components. */
  readonly components?: readonly string[];
}

/** Identifiers that can tie a result to a specimen; the lab matches on accessionNumber first. */
export interface SpecimenIdentifiers {
  /** Best candidate for the accession number (barcode) printed on the tube. */
  readonly accessionNumber?: string;
  /** Every other candidate, most specific first (specimen ids, filler and placer order numbers). */
  readonly candidates: readonly string[];
  readonly specimenId?: string;
  readonly placerOrderNumber?: string;
  readonly fillerOrderNumber?: string;
}

export interface DeviceObservation {
  /** HL7 OBX-1 or ASTM R-2. */
  readonly setId: string;
  /** HL7 OBX-2 value type (NM, ST, CWE, SN …); undefined for ASTM, whose values are untyped text. */
  readonly valueType?: string;
  readonly test: CodedValue;
  /** The value as text (all repetitions joined by "~" when there are several). */
  readonly value: string;
  readonly values: readonly string[];
  /** Set when the value is a plain number (or an SN/ASTM value with a number and no comparator). */
  readonly numericValue?: number;
  /** For coded answers (CWE/CE values). */
  readonly codedValue?: CodedValue;
  readonly units?: string;
  readonly referenceRange?: string;
  readonly abnormalFlags: readonly string[];
  /** HL7 OBX-11 / ASTM R-9: F final, P preliminary, C correction, X cannot be done, I pending … */
  readonly resultStatus?: string;
  /** Observation or completion time as sent (YYYYMMDDHHMMSS[±ZZZZ]). */
  readonly observedAt?: string;
  /** OBX-18 equipment instance / ASTM R-14 instrument, falling back to the message's instrument. */
  readonly performingDevice?: string;
  readonly operator?: string;
  readonly specimen: SpecimenIdentifiers;
  /** Where the observation sat: under an order, a specimen, or the patient. */
  readonly context: 'order' | 'specimen' | 'patient';
  /** Problems the lab should review (a non-numeric NM value, a missing test code …). Empty when clean. */
  readonly issues: readonly string[];
}

/** One message of results from one instrument. */
export interface DeviceResultReport {
  readonly protocol: 'hl7v2' | 'astm';
  /** HL7 MSH-10, or for ASTM the H-3 control id or a gateway-made id. Used to spot re-sent messages. */
  readonly messageId: string;
  /** Sending application/instrument (HL7 MSH-3/4, ASTM H-5). */
  readonly instrument: string;
  readonly processingId?: string;
  /** Patient identifiers only (never names): HL7 PID-3, ASTM P-3/4/5. */
  readonly patientIds: readonly string[];
  readonly observations: readonly DeviceObservation[];
  /** False when an ASTM transmission ended without its L record (results kept, flagged for review). */
  readonly complete: boolean;
}

/** A test order, as received over HL7 (OML^O21, ORM^O01) or sent to an analyzer. */
export interface DeviceOrder {
  /** ORC-1 order control (NW new, CA cancel, SC status changed …). */
  readonly control: string;
  readonly tests: readonly CodedValue[];
  readonly specimen: SpecimenIdentifiers;
  readonly priority?: string;
  readonly patientIds: readonly string[];
  readonly requestedAt?: string;
}

export interface DeviceOrderMessage {
  readonly protocol: 'hl7v2';
  readonly messageId: string;
  readonly sender: string;
  readonly orders: readonly DeviceOrder[];
}

/** An analyzer asking "what should I run on these tubes?" (ASTM Q record, HL7 QBP^Q11 or QRY^Q02). */
export interface DeviceHostQuery {
  readonly protocol: 'astm' | 'hl7v2';
  readonly instrument: string;
  readonly specimenIds: readonly string[];
}

/** An order the lab wants an analyzer to run on a tube it asked about. */
export interface AnalyzerOrder {
  readonly specimenId: string;
  /** Instrument test codes (the analyzer's own codes, e.g. "685" on a cobas, "WBC" on a Sysmex). */
  readonly testCodes: readonly string[];
  readonly priority?: 'R' | 'S' | 'A';
  readonly patientId?: string;
}

export type SinkOutcome = { readonly accepted: true } | { readonly accepted: false; readonly reason: string };

/**
 * Implemented by the laboratory department. Each call resolves once the data is durable (or has been
 * queued for review); only then does the gateway acknowledge the instrument. A rejection or a thrown
 * error makes the gateway answer AE (HL7) or NAK the last frame (ASTM), so the instrument keeps the data
 * and sends it again.
 */
export interface LabDeviceSink {
  receiveResults(report: DeviceResultReport): Promise<SinkOutcome>;
  receiveOrders(message: DeviceOrderMessage): Promise<SinkOutcome>;
  answerQuery(query: DeviceHostQuery): Promise<readonly AnalyzerOrder[]>;
}

/** Picks the accession-number candidates in order, dropping blanks and duplicates. */
export function specimenIdentifiers(parts: {
  specimenIds?: (string | undefined)[];
  placerOrderNumber?: string;
  fillerOrderNumber?: string;
}): SpecimenIdentifiers {
  const clean = (s: string | undefined) => (s ?? '').trim();
  const specimenIds = (parts.specimenIds ?? []).map(clean).filter(Boolean);
  const filler = clean(parts.fillerOrderNumber);
  const placer = clean(parts.placerOrderNumber);
  const candidates = [...new Set([...specimenIds, filler, placer].filter(Boolean))];
  return {
    accessionNumber: candidates[0],
    candidates,
    specimenId: specimenIds[0],
    placerOrderNumber: placer || undefined,
    fillerOrderNumber: filler || undefined,
  };
}
