/**
 * The honeytoken watch: an AccessSink that raises an alert whenever an access touches a decoy
 * record (table `honeytoken`): a read or search that returned a decoy patient, a resource about
 * one, or a request addressed to a decoy itself (even a refused one: probing a decoy is the signal).
 *
 * At most one alert per (principal, decoy) per minute, so a scripted scrape raises one alert per
 * decoy a minute, not thousands of Communications. Accesses by the watch itself are ignored, and so
 * is an admin or auditor reviewing the alerts (a search of Communication or AuditEvent names the
 * decoy as its subject), unless that search also pulls in other resources with _include/_revinclude.
 */
import type { AccessRecord, AccessSink } from '../../audit/access-record.js';
import type { Role } from '../principal.js';
import type { AlertDelivery } from './alerts.js';
import { HoneytokenSet } from './honeytokens.js';
import { describeAccess } from './security-alert.js';
import type { Queryable } from '../../store/database.js';

export interface AccessWatchOptions {
  /** Reads the table `honeytoken` (the application's role may). */
  db: Queryable;
  alerts: AlertDelivery;
  /** How often the decoy list is re-read (default 5 s). */
  refreshMs?: number;
  /** At most one alert per principal and decoy in this long (default 60 s). */
  alertIntervalMs?: number;
  now?: () => number;
}

/** Reviewing the alerts is not touching a decoy: these roles, reading these types. */
const REVIEWER_ROLES: ReadonlySet<Role> = new Set<Role>(['admin', 'auditor', 'bootstrap']);
const ALERT_RECORD_TYPES: ReadonlySet<string> = new Set(['Communication', 'AuditEvent']);

export class AccessWatch implements AccessSink {
  private readonly decoys: HoneytokenSet;
  private readonly lastAlert = new Map<string, number>();
  private readonly alertIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AccessWatchOptions) {
    this.decoys = new HoneytokenSet(options.db, { refreshMs: options.refreshMs });
    this.alertIntervalMs = options.alertIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves once the decoy list has been read; accesses reported before then are checked after. */
  get ready(): Promise<void> {
    return this.decoys.ready;
  }

  /** Re-reads the decoy list now (the CLI's changes otherwise take up to refreshMs). */
  refresh(): Promise<void> {
    return this.decoys.refresh();
  }

  record(access: AccessRecord): void {
    if (access.principal.startsWith('system:') || isAlertReview(access)) return;
    if (this.decoys.loaded) this.inspect(access);
    else void this.decoys.ready.then(() => this.inspect(access));
  }

  close(): void {
    this.decoys.close();
  }

  private inspect(access: AccessRecord): void {
    const touched = new Set(access.patients);
    if (access.resourceType && access.resourceId) touched.add(`${access.resourceType}/${access.resourceId}`);
    for (const reference of touched) {
      if (this.decoys.has(access.hospitalId, reference) && this.firstInInterval(access, reference)) this.raise(access, reference);
    }
  }

  private firstInInterval(access: AccessRecord, decoy: string): boolean {
    const now = this.now();
    const key = `${access.hospitalId}\n${access.principal}\n${decoy}`;
    const last = this.lastAlert.get(key);
    if (last !== undefined && now - last < this.alertIntervalMs) return false;
    if (this.lastAlert.size > 10_000) {
      for (const [k, at] of this.lastAlert) if (now - at >= this.alertIntervalMs) this.lastAlert.delete(k);
    }
    this.lastAlert.set(key, now);
    return true;
  }

  private raise(access: AccessRecord, decoy: string): void {
    const outcome = access.status < 400 ? `answered ${access.status}` : `refused with ${access.status}`;
    this.options.alerts.raise({
      kind: 'honeytoken', hospitalId: access.hospitalId, time: access.time, principal: access.principal, role: access.role,
      sourceIp: access.sourceIp, interaction: access.interaction, resourceType: access.resourceType, subject: decoy, requestId: access.requestId,
      message: `decoy record ${decoy} was touched by ${describeAccess(access)}; ${outcome}`,
    });
  }
}

function isAlertReview(access: AccessRecord): boolean {
  if (!access.role || !REVIEWER_ROLES.has(access.role) || !access.resourceType || !ALERT_RECORD_TYPES.has(access.resourceType)) return false;
  // Decoded, so that `_incl%75de` is seen for what it is.
  return ![...new URLSearchParams(access.query ?? '').keys()].some((name) => /^_(rev)?include(:|$)/.test(name));
}
