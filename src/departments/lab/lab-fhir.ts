/**
 * How the laboratory writes its work in FHIR: the systems, codes and shapes every lab module (and the
 * device gateway, the reports and the desks) agree on. Department rules live in the modules; this
 * file only names things.
 *
 *   ServiceRequest  the order (from the doctor's consultation, the lab desk, or HL7 OML/ORM):
 *                   status active → completed (report final) | revoked (cancelled);
 *                   category laboratory (SNOMED 108252007); code = the ActivityDefinition's code
 *                   (LOINC where there is one + the local service code LAB-<KEY>);
 *                   instantiatesCanonical = the ActivityDefinition url; priority routine|urgent|stat;
 *                   specimen[] = the Specimens drawn for it (added at collection).
 *   Specimen        one per tube drawn: accessionIdentifier and identifier[] {ACCESSION_SYSTEM, accession};
 *                   type: v2-0487 coding + {SPECIMEN_DEFINITION_SYSTEM, <SpecimenDefinition key>};
 *                   request[] = the ServiceRequests it serves; collection.collectedDateTime/collector;
 *                   container[0].description/type.text (container, cap colour);
 *                   status available; receivedTime set at receipt in the lab;
 *                   rejected: status unsatisfactory, condition[] {SPECIMEN_REJECTION_SYSTEM, reason},
 *                   note[] = the technician's words; the orders go back to the phlebotomy list.
 *   Observation     one per analyte per order: id = observationId(serviceRequestId, analyteKey)
 *                   (a re-entry before authorisation is a new version of the same resource);
 *                   category laboratory; code = analyteCoding(); subject, encounter, basedOn [SR],
 *                   specimen, effectiveDateTime = collection time, issued = when entered;
 *                   value[x] by the analyte's kind; interpretation (v3-ObservationInterpretation
 *                   N, H, L, HH, LL, A); referenceRange (the interval that applied); performer;
 *                   device.display = the instrument when it came from an analyzer;
 *                   status preliminary → final (authorised) → amended (corrected after release).
 *   DiagnosticReport one per ServiceRequest: id = reportId(serviceRequestId); basedOn, subject,
 *                   encounter, specimen, result[] (the Observations), category LAB (v2-0074);
 *                   status partial (results being entered) → preliminary (technically validated,
 *                   extension TECHNICAL_VALIDATION with the validator and time) → final (authorised:
 *                   resultsInterpreter = the pathologist, issued = release time) → amended.
 *   Communication   a critical value: category CRITICAL_ALERT_CATEGORY, priority stat, subject,
 *                   about [Observation, DiagnosticReport], recipient = the ordering doctor,
 *                   status in-progress → completed when acknowledged (with who and when).
 *   Observation (review) a device result that matched no specimen or test: status registered, no
 *                   subject, meta.tag DEVICE_REVIEW_TAG, identifier {DEVICE_RESULT_SYSTEM, hash},
 *                   note[] = why; assigned later to a specimen or marked entered-in-error. Never dropped.
 */
import { createHash } from 'node:crypto';

const LOCAL = 'https://nirantar.health';

/** Accession numbers (the barcode on the tube), unique in the hospital. */
export const ACCESSION_SYSTEM = `${LOCAL}/accession`;
/** Specimen.type coding naming the catalogue's SpecimenDefinition (edta-whole-blood, serum-sst …). */
export const SPECIMEN_DEFINITION_SYSTEM = `${LOCAL}/CodeSystem/specimen-definition`;
/** Specimen.condition: why a sample was rejected. */
export const SPECIMEN_REJECTION_SYSTEM = `${LOCAL}/CodeSystem/specimen-rejection`;
export { REJECTION_REASONS, type RejectionReason } from './specimen-rejection.js';

export const LAB_CATEGORY_SNOMED = { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' } as const;
export const OBSERVATION_CATEGORY_LAB = { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' } as const;
export const REPORT_CATEGORY_LAB = { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' } as const;
export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
export type Flag = 'N' | 'H' | 'L' | 'HH' | 'LL' | 'A';

/** DiagnosticReport extension: who validated technically, when (extension: validator Reference, time dateTime). */
export const TECHNICAL_VALIDATION = `${LOCAL}/fhir/StructureDefinition/lab-technical-validation`;
/** DiagnosticReport / Observation extension: why a released result was amended (valueString). */
export const AMENDMENT_REASON = `${LOCAL}/fhir/StructureDefinition/lab-amendment-reason`;
export const CRITICAL_ALERT_CATEGORY = { system: `${LOCAL}/CodeSystem/communication-category`, code: 'lab-critical-value', display: 'Critical laboratory value' } as const;
export const DEVICE_REVIEW_TAG = { system: `${LOCAL}/CodeSystem/lab-review`, code: 'device-unmatched', display: 'Device result awaiting review' } as const;
export const DEVICE_RESULT_SYSTEM = `${LOCAL}/device-result`;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/** Deterministic ids: the same order and analyte always name the same resource (ids ≤ 64 chars). */
export const observationId = (serviceRequestId: string, analyteKey: string) => `lab-obs-${hash(`${serviceRequestId}|${analyteKey}`, 32)}`;
export const reportId = (serviceRequestId: string) => `lab-report-${hash(serviceRequestId, 32)}`;
export const criticalAlertId = (observationId: string, version: string) => `lab-critical-${hash(`${observationId}|${version}`, 32)}`;
