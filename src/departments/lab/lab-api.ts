/**
 * The laboratory's desk API under /api/lab: the bodies it takes and gives, shared by the server
 * routes, the browser desks (type-only imports) and the tests. Every POST that writes takes an
 * X-Request-Id (a retry returns the first answer, writes nothing). Errors are FHIR OperationOutcomes
 * naming the field. Times are ISO 8601 instants (UTC); the desks print them in India time.
 *
 * Specimens (specimen-routes.ts), lab technician unless said:
 *   GET  /catalogue                          LabCatalogue (any signed-in lab, doctor or desk role)
 *   POST /orders                             LabOrderRequest → LabOrderReply (doctor or lab technician: a walk-in's outside prescription)
 *   GET  /phlebotomy?date=YYYY-MM-DD         PhlebotomyItem[] (orders waiting for a sample, oldest and stat first)
 *   POST /collections                        CollectionRequest → CollectionReply (one Specimen per container, accession numbers)
 *   GET  /specimens?accession=A              SpecimenView (the barcode scanned at receipt)
 *   GET  /specimens/:id                      SpecimenView
 *   GET  /specimens/:id/label.pdf | label.zpl   the tube label
 *   POST /specimens/:id/receive              {} → SpecimenView (idempotent: again = same receivedAt)
 *   POST /specimens/:id/reject               RejectionRequest → SpecimenView (its orders return to phlebotomy)
 *   GET  /tat?date=YYYY-MM-DD                TurnaroundFigures
 * Results (result-routes.ts):
 *   GET  /worklist?section=&stage=entry|validation|authorisation   WorklistItem[]
 *   POST /specimens/:id/results              ResultEntryRequest → ReportView[] (lab technician; preliminary results, flags, critical alerts)
 *   POST /reports/:id/validate               {} → ReportView (lab technician: technical validation)
 *   POST /reports/:id/authorise              {} → ReportView (pathologist: final, released)
 *   POST /reports/:id/amend                  AmendRequest → ReportView (pathologist: after release; history kept)
 *   GET  /reports?status=&patient=&date=     ReportView[]
 *   GET  /reports/:id                        ReportView
 *   GET  /reports/:id/report.pdf             the printed report
 *   GET  /critical-alerts?status=open|all    CriticalAlert[] (doctors see those sent to them; lab sees all)
 *   POST /critical-alerts/:id/acknowledge    {note?} → CriticalAlert
 *   GET  /review                             ReviewItem[] (device results that matched nothing)
 *   POST /review/:id/assign                  {specimen, analyte} → ReportView · POST /review/:id/discard {reason}
 * Device gateway (role device; bodies are the gateway's types in src/devices/lab-device-types.ts):
 *   POST /device/results   DeviceResultReport → DeviceResultsReply
 *   POST /device/orders    DeviceOrderMessage → SinkOutcome
 *   POST /device/query     DeviceHostQuery → { orders: AnalyzerOrder[] }
 */
import type { Flag, RejectionReason } from './lab-fhir.js';

export type Priority = 'routine' | 'urgent' | 'stat';
export type LabSectionKey = 'haematology' | 'biochemistry' | 'clinical-pathology' | 'serology';

export interface PatientBrief {
  id: string;
  name: string;
  uhid: string;
  gender?: string;
  /** Completed years on the day, when the birth date is known. */
  ageYears?: number;
}

export interface CatalogueAnalyte {
  key: string;
  name: string;
  kind: 'quantity' | 'coded' | 'text';
  unit?: string;
  decimals?: number;
  /** Answers offered for coded results ("Reactive", "Non-reactive" …). */
  answers?: Array<{ code: string; display: string }>;
}

export interface CatalogueTest {
  /** ActivityDefinition id, e.g. lab-cbc. */
  id: string;
  key: string;
  name: string;
  section: LabSectionKey;
  specimen: { key: string; name: string; container: string; capColour: string };
  turnaroundHours: number;
  analytes: CatalogueAnalyte[];
}

export interface LabCatalogue { tests: CatalogueTest[] }

export interface LabOrderRequest {
  patient: string;
  encounter?: string;
  /** ActivityDefinition ids (lab-cbc, lab-lft …). */
  tests: string[];
  priority?: Priority;
}
export interface LabOrderReply { orders: OrderBrief[] }

export interface OrderBrief {
  /** ServiceRequest id. */
  id: string;
  test: string;
  testName: string;
  priority: Priority;
  orderedAt: string;
  requester?: string;
  /** Why it is back on the list, when a sample for it was rejected. */
  recollect?: string;
}

export interface PhlebotomyItem {
  patient: PatientBrief;
  orders: OrderBrief[];
  /** The tubes to draw: one per container type, with the orders each serves. */
  containers: Array<{ specimenType: string; name: string; container: string; capColour: string; orders: string[] }>;
}

export interface CollectionRequest {
  patient: string;
  /** ServiceRequest ids; all must be this patient's active lab orders without a sample. */
  orders: string[];
  /** Default: now. */
  collectedAt?: string;
}

export interface SpecimenView {
  id: string;
  accession: string;
  patient: PatientBrief;
  specimenType: string;
  name: string;
  container: string;
  capColour: string;
  orders: OrderBrief[];
  collectedAt: string;
  collector?: string;
  receivedAt?: string;
  status: 'collected' | 'received' | 'rejected';
  rejection?: { reason: RejectionReason; display: string; note?: string; at: string };
  labelPdf: string;
  labelZpl: string;
}

export interface CollectionReply { specimens: SpecimenView[] }

export interface RejectionRequest { reason: RejectionReason; note?: string }

export interface ResultValue {
  analyte: string;
  name: string;
  kind: 'quantity' | 'coded' | 'text';
  /** As entered or as the analyzer sent it. */
  value?: string;
  unit?: string;
  /** The reference interval that applied, as printed ("13.0 – 17.0"). */
  reference?: string;
  flag?: Flag;
  critical?: boolean;
  status?: 'preliminary' | 'final' | 'amended';
  /** The analyzer, when it came from one. */
  device?: string;
  /** Earlier values of an amended result, oldest first. */
  previous?: Array<{ value: string; at: string }>;
}

export interface ReportView {
  /** DiagnosticReport id. */
  id: string;
  order: OrderBrief;
  patient: PatientBrief;
  specimen: { id: string; accession: string; name: string; collectedAt: string; receivedAt?: string };
  section: LabSectionKey;
  status: 'partial' | 'preliminary' | 'final' | 'amended';
  results: ResultValue[];
  enteredAt?: string;
  validatedBy?: string;
  validatedAt?: string;
  authorisedBy?: string;
  authorisedAt?: string;
  amendments?: Array<{ reason: string; by: string; at: string }>;
  pdf: string;
}

export interface WorklistItem {
  report?: string;
  specimen: { id: string; accession: string; receivedAt: string; name: string };
  patient: PatientBrief;
  order: OrderBrief;
  section: LabSectionKey;
  stage: 'entry' | 'validation' | 'authorisation';
  results: ResultValue[];
}

export interface ResultEntryRequest {
  /** For one or more of the specimen's orders; values as text ("13.4", "Reactive", "1+"). */
  results: Array<{ order: string; analyte: string; value: string }>;
}

export interface AmendRequest {
  results: Array<{ analyte: string; value: string }>;
  reason: string;
}

export interface CriticalAlert {
  id: string;
  patient: PatientBrief;
  report: string;
  analyte: string;
  value: string;
  unit?: string;
  flag: 'HH' | 'LL' | 'A';
  recipient?: string;
  raisedAt: string;
  status: 'open' | 'acknowledged';
  acknowledgedBy?: string;
  acknowledgedAt?: string;
}

export interface ReviewItem {
  id: string;
  instrument: string;
  accession?: string;
  testCode: string;
  value: string;
  units?: string;
  reason: string;
  receivedAt: string;
}

export interface DeviceResultsReply {
  accepted: true;
  matched: number;
  review: number;
  duplicates: number;
}

export interface StageFigures {
  stage: 'collection' | 'receipt' | 'result' | 'validation' | 'authorisation' | 'total';
  /** From ordered→collected, collected→received, received→first result, result→validated, validated→authorised, received→authorised. */
  count: number;
  medianMinutes?: number;
  p90Minutes?: number;
}

export interface TurnaroundFigures {
  date: string;
  stages: StageFigures[];
  /** Reports authorised later than the test's turnaround target (from receipt). */
  breaches: Array<{ report: string; test: string; targetHours: number; actualHours: number }>;
  /** Orders and samples still open, by stage. */
  pending: Record<'collection' | 'receipt' | 'result' | 'validation' | 'authorisation', number>;
}
