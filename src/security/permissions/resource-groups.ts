/**
 * The FHIR resource types grouped the way a hospital talks about its records. The permission table
 * grants interactions on groups, so that "a nurse may record observations" is one line, not forty.
 * A type in no group is open to nobody but the bootstrap token: new or exotic types start denied.
 */
export const RESOURCE_GROUPS = {
  /** Who the patient is: registration, identifiers, next of kin, insurance. */
  'patient-identity': ['Patient', 'RelatedPerson', 'Person', 'Coverage'],
  /** Appointments and the schedules and slots they are booked into. */
  scheduling: ['Appointment', 'AppointmentResponse', 'Schedule', 'Slot'],
  /** OPD visits and admissions, and the alerts shown on them. */
  visits: ['Encounter', 'EpisodeOfCare', 'Flag'],
  /** What clinicians write about a patient. */
  'clinical-record': [
    'Condition', 'AllergyIntolerance', 'Procedure', 'ClinicalImpression', 'CarePlan', 'CareTeam', 'FamilyMemberHistory',
    'Immunization', 'Composition', 'DocumentReference', 'QuestionnaireResponse', 'RiskAssessment', 'Goal', 'BodyStructure',
    'Media', 'DetectedIssue', 'AdverseEvent', 'ImagingStudy', 'Consent', 'List', 'Task', 'CommunicationRequest',
  ],
  /** Prescriptions and what was given. */
  medication: [
    'MedicationRequest', 'MedicationStatement', 'MedicationAdministration', 'MedicationDispense', 'NutritionOrder',
    'DeviceRequest', 'DeviceUseStatement', 'VisionPrescription',
  ],
  /** Vital signs, lab results, any measurement. */
  observations: ['Observation'],
  /** Orders for tests and procedures (the lab works from these). */
  orders: ['ServiceRequest'],
  /** Samples and reports of the laboratory. */
  laboratory: ['Specimen', 'DiagnosticReport'],
  /** Accounts, charges, invoices, insurance claims and payments. */
  billing: [
    'Account', 'ChargeItem', 'Invoice', 'Claim', 'ClaimResponse', 'PaymentNotice', 'PaymentReconciliation',
    'ExplanationOfBenefit', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse',
  ],
  /** The hospital itself: departments, wards and beds, staff, services, devices. No patient data. */
  directory: ['Organization', 'Location', 'Practitioner', 'PractitionerRole', 'HealthcareService', 'Endpoint', 'Device'],
  /** What the hospital offers and how it codes it: test catalogue, tariff, terminology, forms. No patient data. */
  catalogue: [
    'ActivityDefinition', 'ObservationDefinition', 'SpecimenDefinition', 'ChargeItemDefinition', 'PlanDefinition',
    'Questionnaire', 'ValueSet', 'CodeSystem', 'ConceptMap', 'NamingSystem', 'Medication', 'Substance', 'CatalogEntry',
  ],
  /** Security alerts and messages to staff (the access watch writes its alerts as Communication). */
  messages: ['Communication'],
  /** The trail: who did what (AuditEvent is written by the server only) and where data came from. */
  trail: ['AuditEvent', 'Provenance'],
} as const satisfies Record<string, readonly string[]>;

export type ResourceGroup = keyof typeof RESOURCE_GROUPS;
