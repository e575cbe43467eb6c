/**
 * The code systems and local URLs an AuditEvent of Nirantar uses, in one place: the mapping from an
 * access record writes them, the projection and the search read them back.
 */

export const SYSTEM = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  purposeOfUse: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  sourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  /** Nirantar's roles (the desks of the permission table, plus 'bootstrap'). */
  role: 'https://nirantar.health/CodeSystem/access-role',
  /** The principal as the ledger writes it ('user:asha', 'token:lab-gateway'). */
  principal: 'https://nirantar.health/principal',
} as const;

const EXTENSION_BASE = 'https://nirantar.health/fhir/StructureDefinition';

/** R4 has no element for these, so they are extensions (on the agent, or the event). */
export const EXTENSION = {
  userAgent: `${EXTENSION_BASE}/audit-user-agent`,
  requestId: `${EXTENSION_BASE}/audit-request-id`,
  clientRequestId: `${EXTENSION_BASE}/audit-client-request-id`,
  httpStatus: `${EXTENSION_BASE}/audit-http-status`,
} as const;

/** object-role codes of the entities: the patient concerned, the resource addressed, a search. */
export const ENTITY_ROLE = { patient: '1', domainResource: '4', query: '24' } as const;

/** audit-entity-type codes. */
export const ENTITY_TYPE = { person: '1', systemObject: '2' } as const;

/** v3 PurposeOfUse displays of the purposes the pipeline records; other codes go without one. */
export const PURPOSE_DISPLAY: Readonly<Record<string, string>> = {
  TREAT: 'treatment',
  BTG: 'break the glass',
  HOPERAT: 'healthcare operations',
};

/** The observer every event names: this server. */
export const OBSERVER = 'Nirantar';

/** DICOM codes of the User Authentication event's subtypes (login and logout). */
export const DICOM_LOGIN = '110122';
export const DICOM_LOGOUT = '110123';
