/**
 * The FHIR resource an admin sees for a security alert: a Communication in the category
 * https://nirantar.health/alert-category|security, found with GET /fhir/R4/Communication?category=security.
 * Written through the repository like any resource, so it is ledgered, vaulted and cannot be
 * quietly removed by someone who wants the alert gone.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { ALERT_TITLES, type SecurityAlert } from './security-alert.js';

export const ALERT_CATEGORY_SYSTEM = 'https://nirantar.health/alert-category';
export const ALERT_KIND_SYSTEM = 'https://nirantar.health/alert-kind';

/** The ledger's actor for everything the access watch writes; the watch ignores its own accesses. */
export const ACCESS_WATCH_ACTOR = 'system:access-watch';

export function alertCommunication(alert: SecurityAlert, sent: string): FhirResource {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ system: ALERT_CATEGORY_SYSTEM, code: 'security', display: 'Security alert' }] }],
    priority: 'stat',
    reasonCode: [{ coding: [{ system: ALERT_KIND_SYSTEM, code: alert.kind, display: ALERT_TITLES[alert.kind] }] }],
    ...(alert.subject ? { subject: { reference: alert.subject } } : {}),
    sent,
    payload: [{ contentString: alert.message }],
  };
}
