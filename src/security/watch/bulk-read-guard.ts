/**
 * The bulk-read guard: counts, per principal, the patient records read in a sliding minute
 * (limits per role in bulk-read-limits.ts). Above 80% of the limit it raises one alert per window;
 * above the limit it raises one more, and `check` refuses every request with 429 until the count
 * has fallen back under the limit.
 *
 * The request pipeline calls `check(principal)` before serving a request and reports every access
 * to `record` afterwards (it is an AccessSink). Counts live in this process's memory: one API
 * process serves a database, and a restart forgetting a minute of counts costs nothing.
 */
import type { AccessInteraction, AccessRecord, AccessSink } from '../../audit/access-record.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import { isInPatientCompartment } from '../../fhir/patient-compartment.js';
import type { Principal, Role } from '../principal.js';
import type { AlertDelivery } from './alerts.js';
import { BULK_READ_LIMITS, BULK_READ_WARNING_FRACTION, BULK_READ_WINDOW_MS } from './bulk-read-limits.js';
import { ReadWindow } from './read-window.js';
import { describeAccess, printable, type AlertKind } from './security-alert.js';

/** 429 with a Retry-After the pipeline sends as a header (seconds, rounded up). */
export class BulkReadThrottled extends FhirError {
  constructor(readonly read: number, readonly limit: number, readonly role: Role, readonly retryAfterSeconds: number) {
    super(429, issue('throttled',
      `too many patient records read in the last minute (${read}, limit ${limit} for role ${role}); try again in ${retryAfterSeconds} seconds`));
  }
}

export interface BulkReadGuardOptions {
  /** Where the warning and throttle alerts go; none: the guard only throttles. */
  alerts?: AlertDelivery;
  /** Overrides of BULK_READ_LIMITS (tests, a hospital's own numbers). */
  limits?: Partial<Record<Role, number | null>>;
  windowMs?: number;
  now?: () => number;
}

interface Reader {
  window: ReadWindow;
  warnedAt: number | null;
  throttledAt: number | null;
}

export class BulkReadGuard implements AccessSink {
  private readonly readers = new Map<string, Reader>();
  private readonly limits: Readonly<Record<Role, number | null>>;
  private readonly windowMs: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly options: BulkReadGuardOptions = {}) {
    this.limits = { ...BULK_READ_LIMITS, ...options.limits };
    this.windowMs = options.windowMs ?? BULK_READ_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  limitFor(role: Role | null): number | null {
    return role ? this.limits[role] ?? null : null;
  }

  /** Patient records `principal` read in the last window. */
  readCount(hospitalId: string, principal: string): number {
    return this.readers.get(readerKey(hospitalId, principal))?.window.total(this.now()) ?? 0;
  }

  /** Throws BulkReadThrottled when the principal has read more than its role's limit in the last window. */
  check(principal: Pick<Principal, 'hospitalId' | 'principal' | 'role'>): void {
    const limit = this.limitFor(principal.role);
    const reader = this.readers.get(readerKey(principal.hospitalId, principal.principal));
    if (limit === null || !reader) return;
    const now = this.now();
    const read = reader.window.total(now);
    if (read <= limit) return;
    const waitMs = reader.window.waitUntilAtMost(limit, now);
    throw new BulkReadThrottled(read, limit, principal.role!, Math.max(1, Math.ceil(waitMs / 1000)));
  }

  record(access: AccessRecord): void {
    const count = patientRecordsRead(access);
    const limit = this.limitFor(access.role);
    if (count === 0 || limit === null || access.principal.startsWith('system:')) return;
    const now = this.now();
    this.sweep(now);
    const key = readerKey(access.hospitalId, access.principal);
    let reader = this.readers.get(key);
    if (!reader) this.readers.set(key, (reader = { window: new ReadWindow(this.windowMs), warnedAt: null, throttledAt: null }));
    reader.window.add(now, count);
    const read = reader.window.total(now);
    const fresh = (at: number | null) => at === null || now - at >= this.windowMs;
    if (read > limit && fresh(reader.throttledAt)) {
      reader.throttledAt = reader.warnedAt = now;
      this.raise('bulk-read-throttled', access, read, limit);
    } else if (read > limit * BULK_READ_WARNING_FRACTION && fresh(reader.warnedAt)) {
      reader.warnedAt = now;
      this.raise('bulk-read-warning', access, read, limit);
    }
  }

  private raise(kind: AlertKind, access: AccessRecord, read: number, limit: number): void {
    const consequence = kind === 'bulk-read-throttled' ? 'further requests are refused with 429 until the count falls' : 'it will be refused above the limit';
    this.options.alerts?.raise({
      kind, hospitalId: access.hospitalId, time: access.time, principal: access.principal, role: access.role, sourceIp: access.sourceIp,
      interaction: access.interaction, resourceType: access.resourceType, requestId: access.requestId,
      message: `${printable(access.principal)} read ${read} patient records in the last minute (limit ${limit} for role ${printable(access.role)}); ` +
        `${consequence}; last access by ${describeAccess(access)}`,
    });
  }

  /** Forgets principals with nothing in their window, once a window. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, reader] of this.readers) if (reader.window.total(now) === 0) this.readers.delete(key);
  }
}

/** Reads by interaction too: FHIR's audit patterns record a search as action 'E' (execute), not 'R'. */
const READ_INTERACTIONS: ReadonlySet<AccessInteraction> = new Set<AccessInteraction>(['read', 'vread', 'search', 'history']);

/**
 * What one access adds to the count: each patient it named, and at least 1 for a read or search of
 * patient data that named none (probing by guessing counts). Refusals by this guard itself do not
 * count, or a client retrying too early would push its own Retry-After further out.
 */
export function patientRecordsRead(access: AccessRecord): number {
  if ((access.action !== 'R' && !READ_INTERACTIONS.has(access.interaction)) || access.status === 429) return 0;
  const patientData = access.resourceType !== undefined && isInPatientCompartment(access.resourceType);
  return Math.max(access.patients.length, patientData ? 1 : 0);
}

function readerKey(hospitalId: string, principal: string): string {
  return `${hospitalId}\n${principal}`;
}
