/**
 * The resource types this server stores. The store is generic, so every concrete R4 resource type
 * is supported for CRUD, history and search; the hospital's desks use the ones in HOSPITAL_TYPES.
 */
import { resourceTypeNames } from './definitions.js';

let all: Set<string> | undefined;

export function supportedResourceTypes(): Set<string> {
  // Bundle is a container for batch/transaction at the system endpoint, but storing Bundles
  // (e.g. documents) as resources is also legitimate in R4.
  return (all ??= new Set(resourceTypeNames()));
}

export function isSupportedResourceType(type: string): boolean {
  return supportedResourceTypes().has(type);
}

/** The types DESIGN.md names as the hospital's model (what the desks and the seed use). */
export const HOSPITAL_TYPES = [
  'Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'HealthcareService',
  'Schedule', 'Slot', 'Appointment', 'Encounter', 'Observation', 'ServiceRequest', 'Specimen',
  'DiagnosticReport', 'ChargeItem', 'ChargeItemDefinition', 'Invoice', 'Account', 'Coverage',
  'Composition', 'AuditEvent', 'Provenance', 'ActivityDefinition', 'ObservationDefinition',
  'SpecimenDefinition', 'PlanDefinition', 'Condition', 'MedicationRequest', 'Procedure',
] as const;
