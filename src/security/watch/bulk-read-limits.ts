/**
 * How many patient records each role may read in any 60 seconds before the bulk-read guard answers
 * 429, in one place. A "patient record read" is one patient named by a read or a search answer
 * (a search page of 50 patients is 50). The limits sit well above what the desk's real work needs
 * and far below what copying the hospital's records needs (100,000 patients at 300 a minute is
 * five and a half days of reading, with an alert in the first minute). null: no limit.
 *
 * At WARNING_FRACTION of the limit an alert is raised (once per window), before anyone is refused.
 */
import type { Role } from '../principal.js';

export const BULK_READ_WINDOW_MS = 60_000;
export const BULK_READ_WARNING_FRACTION = 0.8;

export const BULK_READ_LIMITS: Readonly<Record<Role, number | null>> = {
  // Front desks look up one patient at a time: a few searches a minute, each a page of at most ~50.
  'registration-clerk': 300,
  'appointment-desk': 300,
  'billing-clerk': 300,
  // Clinicians open ward lists and bed boards (a ward is ~40 patients), refreshed through a round.
  doctor: 600,
  nurse: 600,
  'ward-clerk': 600,
  // Laboratory worklists: every specimen and result names its patient, hundreds per batch run.
  'lab-technician': 2000,
  pathologist: 2000,
  // An admin manages accounts and configuration, not patients: a low limit for a high-value account.
  admin: 300,
  // An auditor's timelines name many patients (each AuditEvent of a search names every patient returned).
  auditor: 5000,
  // Machine clients (analyzer gateway, integrations) poll orders and post results all day.
  device: 20000,
  // The setup token loads and migrates data before accounts exist; revoke it (nirantar bootstrap-token --revoke) after.
  bootstrap: null,
};
