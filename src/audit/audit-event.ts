/**
 * An access record as a FHIR R4 AuditEvent (the RESTful profile of the spec's audit-event page, with
 * IHE BALP's habits: one entity per patient, one for the resource addressed, the query of a search):
 *
 *   type            audit-event-type 'rest' (or DICOM 'User Authentication' for a login/logout)
 *   subtype         restful-interaction code: read, vread, search-type, history-instance, create …
 *   action/outcome  from the record; outcomeDesc says why a request was refused or failed
 *   recorded,period when the request arrived (UTC)
 *   purposeOfEvent  v3 PurposeOfUse (TREAT, BTG with the clinician's reason as text, HOPERAT)
 *   agent           the principal (who.identifier and name), its role, the source IP (network type
 *                   2) or host name (type 1), the user agent in an extension
 *   source          observer 'Nirantar', site = the hospital
 *   entity          Patient/x (role 1 Patient) for each patient concerned; Type/id or the type alone
 *                   (role 4 Domain Resource); the query, base64, for a search or history (role 24)
 */
import { isIP } from 'node:net';
import type { AccessInteraction, AccessRecord } from './access-record.js';
import { DICOM_LOGIN, DICOM_LOGOUT, ENTITY_ROLE, ENTITY_TYPE, EXTENSION, OBSERVER, PURPOSE_DISPLAY, SYSTEM } from './audit-codes.js';

/** A FHIR AuditEvent as JSON (a type alias, so that it is a plain record for the ledger). */
export type AuditEvent = Record<string, unknown> & { resourceType: 'AuditEvent'; id: string; recorded: string };

type Coding = { system: string; code: string; display?: string };

export function toAuditEvent(access: AccessRecord, id: string): AuditEvent {
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id,
    ...requestExtensions(access),
    ...eventType(access.interaction, access),
    action: access.action,
    period: { start: access.time, end: access.time },
    recorded: access.time,
    outcome: access.outcome,
    ...(access.outcomeDescription ? { outcomeDesc: access.outcomeDescription } : {}),
    ...(access.purpose ? { purposeOfEvent: [purposeOfEvent(access)] } : {}),
    agent: [agent(access)],
    source: {
      site: access.hospitalId,
      observer: { display: OBSERVER },
      type: [{ system: SYSTEM.sourceType, code: '4', display: 'Application Server' }],
    },
  };
  const entity = entities(access);
  if (entity.length > 0) event.entity = entity;
  return event;
}

function eventType(interaction: AccessInteraction, access: AccessRecord): { type: Coding; subtype: Coding[] } {
  if (interaction === 'login' || interaction === 'logout') {
    return {
      type: { system: SYSTEM.dicom, code: '110114', display: 'User Authentication' },
      subtype: [interaction === 'login' ? { system: SYSTEM.dicom, code: DICOM_LOGIN, display: 'Login' } : { system: SYSTEM.dicom, code: DICOM_LOGOUT, display: 'Logout' }],
    };
  }
  return {
    type: { system: SYSTEM.auditEventType, code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: SYSTEM.restfulInteraction, code: restfulInteraction(interaction, access) }],
  };
}

/** The restful-interaction code: search and history are coded by level (type, instance, system). */
export function restfulInteraction(interaction: AccessInteraction, access: Pick<AccessRecord, 'resourceType' | 'resourceId'>): string {
  switch (interaction) {
    case 'search':
      return access.resourceType ? 'search-type' : 'search-system';
    case 'history':
      return access.resourceId ? 'history-instance' : access.resourceType ? 'history-type' : 'history-system';
    default:
      return interaction;
  }
}

function purposeOfEvent(access: AccessRecord): Record<string, unknown> {
  const display = PURPOSE_DISPLAY[access.purpose];
  return {
    coding: [{ system: SYSTEM.purposeOfUse, code: access.purpose, ...(display ? { display } : {}) }],
    // The break-glass reason is what a reviewer reads first: it goes where the purpose is.
    ...(access.breakGlassReason ? { text: access.breakGlassReason } : {}),
  };
}

function agent(access: AccessRecord): Record<string, unknown> {
  return {
    ...(access.userAgent ? { extension: [{ url: EXTENSION.userAgent, valueString: access.userAgent }] } : {}),
    ...(access.role ? { role: [{ coding: [{ system: SYSTEM.role, code: access.role }], text: access.role }] } : {}),
    who: { identifier: { system: SYSTEM.principal, value: access.principal }, display: access.principal },
    ...(access.userId ? { altId: access.userId } : {}),
    name: access.principal,
    requestor: true,
    // network.type: 2 = IP address, 1 = machine name (a proxy that passed a host name).
    ...(access.sourceIp ? { network: { address: access.sourceIp, type: isIP(access.sourceIp) ? '2' : '1' } } : {}),
  };
}

function entities(access: AccessRecord): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [...new Set(access.patients)].map((patient) => ({
    what: { reference: patient },
    type: { system: SYSTEM.entityType, code: ENTITY_TYPE.person, display: 'Person' },
    role: { system: SYSTEM.objectRole, code: ENTITY_ROLE.patient, display: 'Patient' },
  }));
  if (access.resourceType) {
    list.push({
      what: access.resourceId ? { reference: `${access.resourceType}/${access.resourceId}` } : { type: access.resourceType },
      type: { system: SYSTEM.entityType, code: ENTITY_TYPE.systemObject, display: 'System Object' },
      role: { system: SYSTEM.objectRole, code: ENTITY_ROLE.domainResource, display: 'Domain Resource' },
    });
  }
  if (access.query !== undefined && access.query !== '') {
    list.push({
      type: { system: SYSTEM.entityType, code: ENTITY_TYPE.systemObject, display: 'System Object' },
      role: { system: SYSTEM.objectRole, code: ENTITY_ROLE.query, display: 'Query' },
      query: Buffer.from(access.query, 'utf8').toString('base64'),
    });
  }
  return list;
}

function requestExtensions(access: AccessRecord): { extension: Record<string, unknown>[] } {
  return {
    extension: [
      ...(access.requestId ? [{ url: EXTENSION.requestId, valueString: access.requestId }] : []),
      ...(access.clientRequestId ? [{ url: EXTENSION.clientRequestId, valueString: access.clientRequestId }] : []),
      { url: EXTENSION.httpStatus, valueInteger: access.status },
    ],
  };
}
