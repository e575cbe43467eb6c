/**
 * Access control for one FHIR request: the permission table decides on the resource type and
 * interaction before anything runs; the ward/department scope decides on the patients once the data
 * is known; a clinician's break-glass reason opens a record outside the scope, flagged. Along the
 * way it collects what the audit trail needs: the interaction, the resource and the patients.
 *
 * Denials are 403 OperationOutcomes that name the role and what was refused, never the data.
 */
import type { FastifyRequest } from 'fastify';
import { FhirError, issue } from '../fhir/outcome.js';
import { isInPatientCompartment, patientsOf } from '../fhir/patient-compartment.js';
import type { AccessInteraction } from '../audit/access-record.js';
import type { Principal } from './principal.js';
import { may, PERMISSION_TABLE, type Interaction } from './permissions/permissions.js';
import type { PatientScope } from './permissions/patient-scope.js';

export const BREAK_GLASS_HEADER = 'x-break-glass-reason';

type Resource = { resourceType: string; id?: string; [key: string]: unknown };
type BundleLike = { entry?: Array<{ resource?: Resource; search?: { mode?: string } }>; total?: number };

/** What the audit record of this request will say; filled in as the request goes. */
export interface AccessState {
  interaction: AccessInteraction;
  resourceType?: string;
  resourceId?: string;
  patients: Set<string>;
  breakGlassReason?: string;
  /** Set when a scope was actually overridden by break-glass. */
  brokeGlass: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    access?: AccessState;
  }
}

export function forbidden(message: string): FhirError {
  return new FhirError(403, issue('forbidden', message));
}

/** The stored current version of a resource (null when it does not exist or was deleted). */
export type LoadCurrent = (hospitalId: string, resourceType: string, id: string) => Promise<Resource | null>;

export class AccessControl {
  constructor(private readonly scope: PatientScope, private readonly loadCurrent: LoadCurrent) {}

  /**
   * A batch or transaction: every entry is checked against the table before anything runs (one
   * refused entry refuses the Bundle, naming the entry), and for a scoped role against the scope.
   * Reads inside a Bundle are not filtered like searches are, so a scoped role may not make them.
   */
  async checkBundle(request: FastifyRequest, bundle: unknown): Promise<void> {
    const principal = request.principal!;
    const entries = (bundle as { entry?: unknown })?.entry;
    if (!Array.isArray(entries)) return; // the repository answers a malformed Bundle with a 400
    const scoped = !this.unscoped(principal);
    for (const [index, raw] of entries.entries()) {
      const entry = raw as { resource?: Resource; request?: { method?: unknown; url?: unknown } } | null;
      const method = typeof entry?.request?.method === 'string' ? entry.request.method : '';
      const url = typeof entry?.request?.url === 'string' ? entry.request.url : '';
      const [path] = url.replace(/^\//, '').split('?', 1);
      const [resourceType, id] = path.split('/');
      const interaction: Interaction | undefined = method === 'GET' || method === 'HEAD' ? (id ? 'read' : 'search')
        : method === 'POST' ? 'create' : method === 'PUT' || method === 'PATCH' ? 'update' : method === 'DELETE' ? 'delete' : undefined;
      if (!interaction || !resourceType) continue; // malformed: the repository names it
      if (!may(principal.role, resourceType, interaction)) {
        throw forbidden(`Bundle.entry[${index}]: the role ${principal.role ?? '(none)'} may not ${interaction} ${resourceType}`);
      }
      if (!scoped) {
        if (entry?.resource && typeof entry.resource === 'object' && typeof entry.resource.resourceType === 'string') this.recordWritten(request, entry.resource);
        continue;
      }
      if (interaction === 'read' || interaction === 'search') {
        throw forbidden(`Bundle.entry[${index}]: reads inside a Bundle are not available to a ${this.scope.scopeOf(principal).kind}-scoped role; use the search API`);
      }
      const resource = method === 'PATCH' ? undefined : entry?.resource;
      const existing = id ? await this.loadCurrent(principal.hospitalId, resourceType, id) : null;
      await this.checkWrite(request, resource && typeof resource === 'object' ? resource : undefined, existing);
    }
  }

  /** For a scoped role, the current version of what a write replaces (to check its patients); null otherwise. */
  async existingForScope(request: FastifyRequest, resourceType: string, id: string): Promise<Resource | null> {
    const principal = request.principal!;
    return this.unscoped(principal) ? null : this.loadCurrent(principal.hospitalId, resourceType, id);
  }

  /** The type-level check: 403 unless the role may do `interaction` on `resourceType`. */
  require(principal: Principal, resourceType: string, interaction: Interaction): void {
    if (!may(principal.role, resourceType, interaction)) {
      throw forbidden(`the role ${principal.role ?? '(none)'} may not ${interaction} ${resourceType}`);
    }
  }

  /** A read of one resource (or its history): records its patients; 403 outside the scope, unless break-glass. */
  async checkRead(request: FastifyRequest, resource: Resource): Promise<void> {
    const patients = patientsOf(resource);
    await this.checkPatients(request, patients, `${resource.resourceType}/${resource.id ?? ''}`);
  }

  /** A read where only the JSON text is at hand (the read hot path): Patient needs no parsing. */
  async checkReadText(request: FastifyRequest, resourceType: string, id: string, text: string): Promise<void> {
    if (resourceType === 'Patient') return this.checkPatients(request, [`Patient/${id}`], `Patient/${id}`);
    if (!isInPatientCompartment(resourceType)) return;
    return this.checkRead(request, JSON.parse(text) as Resource);
  }

  /**
   * A search or history Bundle: entries of types the role may not read are removed (an _include can
   * reach anywhere), and for a scoped role so are entries about patients outside the scope; the
   * Bundle then says how many were withheld. Break-glass keeps them, flagged.
   */
  async filterBundle(request: FastifyRequest, bundle: BundleLike, interaction: Interaction): Promise<void> {
    return this.screenBundle(request, bundle, interaction, 'filter');
  }

  /** The history of one resource: all about the same patients, so out of scope it is refused whole, like a read. */
  async checkHistory(request: FastifyRequest, bundle: BundleLike): Promise<void> {
    return this.screenBundle(request, bundle, 'history', 'refuse');
  }

  private async screenBundle(request: FastifyRequest, bundle: BundleLike, interaction: Interaction, mode: 'filter' | 'refuse'): Promise<void> {
    const principal = request.principal!;
    if (mode === 'refuse') {
      const patients = [...new Set((bundle.entry ?? []).flatMap((e) => (e.resource ? patientsOf(e.resource) : [])))];
      const first = bundle.entry?.find((e) => e.resource)?.resource;
      return this.checkPatients(request, patients, first ? `${first.resourceType}/${first.id ?? ''}` : 'the resource');
    }
    const state = request.access!;
    const entries = bundle.entry ?? [];
    const kept: typeof entries = [];
    let withheldType = 0;
    const patientsPerEntry = new Map<(typeof entries)[number], string[]>();
    for (const e of entries) {
      const r = e.resource;
      if (!r || e.search?.mode === 'outcome' || r.resourceType === 'OperationOutcome') { kept.push(e); continue; }
      const need: Interaction = e.search?.mode === 'include' ? 'read' : interaction;
      if (!may(principal.role, r.resourceType, need) && !may(principal.role, r.resourceType, 'read')) { withheldType++; continue; }
      patientsPerEntry.set(e, patientsOf(r));
      kept.push(e);
    }
    const all = [...new Set([...patientsPerEntry.values()].flat())];
    let outside = new Set(await this.scope.outside(principal, all));
    if (outside.size > 0 && this.breakGlass(request)) {
      state.brokeGlass = true;
      outside = new Set();
    }
    let withheldScope = 0;
    const result = kept.filter((e) => {
      const patients = patientsPerEntry.get(e);
      if (!patients) return true;
      if (patients.some((p) => outside.has(p))) { withheldScope++; return false; }
      for (const p of patients) state.patients.add(p);
      return true;
    });
    if (withheldType + withheldScope === 0) return;
    const notes: string[] = [];
    if (withheldType > 0) notes.push(`${withheldType} entries of resource types your role may not read were withheld`);
    if (withheldScope > 0) {
      notes.push(`${withheldScope} entries about patients outside your ${this.scope.scopeOf(principal).kind} were withheld` +
        (PERMISSION_TABLE[principal.role!]?.breakGlass ? ' (to open one in an emergency, repeat the request with a reason in X-Break-Glass-Reason)' : ''));
    }
    result.push({
      resource: { resourceType: 'OperationOutcome', issue: notes.map((n) => ({ severity: 'warning', code: 'suppressed', diagnostics: n })) },
      search: { mode: 'outcome' },
    });
    bundle.entry = result;
    // The total counted what the role cannot see; a count it may not have is not shown.
    delete bundle.total;
  }

  /**
   * A write: the new content's patients and, for an existing resource, the stored version's must
   * be within the scope, so nobody moves a record into or out of a patient they may not see.
   */
  async checkWrite(request: FastifyRequest, resource: Resource | undefined, existing: Resource | null | undefined): Promise<void> {
    const principal = request.principal!;
    const patients = [...new Set([...(resource ? patientsOf(resource) : []), ...(existing ? patientsOf(existing) : [])])];
    if (resource && patients.length > 0 && this.scope.scopeOf(principal).kind !== 'hospital' && await this.scope.places(principal, resource)) {
      for (const p of patients) request.access!.patients.add(p);
      this.scope.forget();
      return;
    }
    await this.checkPatients(request, patients, resource ? resource.resourceType : existing?.resourceType ?? 'the resource');
  }

  /** Records what a completed write was about (for the audit trail). */
  recordWritten(request: FastifyRequest, resource: Resource | undefined): void {
    if (resource) for (const p of patientsOf(resource)) request.access!.patients.add(p);
  }

  /** True when the scope is the whole hospital (no patient checks needed for this principal). */
  unscoped(principal: Principal): boolean {
    return this.scope.scopeOf(principal).kind === 'hospital';
  }

  private async checkPatients(request: FastifyRequest, patients: string[], what: string): Promise<void> {
    const principal = request.principal!;
    const state = request.access!;
    const outside = await this.scope.outside(principal, patients);
    if (outside.length > 0) {
      if (!this.breakGlass(request)) {
        const scope = this.scope.scopeOf(principal);
        const hint = PERMISSION_TABLE[principal.role!]?.breakGlass
          ? '; in an emergency, repeat the request with a reason in the X-Break-Glass-Reason header (it will be reviewed)' : '';
        throw forbidden(`${what} is about a patient outside your ${scope.kind}${scope.kind !== 'hospital' && !('of' in scope && scope.of) ? ' (your account has none set)' : ''}${hint}`);
      }
      state.brokeGlass = true;
    }
    for (const p of patients) state.patients.add(p);
  }

  /** The break-glass reason when the request carries one and the role may use it; 403 when it may not. */
  private breakGlass(request: FastifyRequest): boolean {
    const reason = request.access?.breakGlassReason;
    if (reason === undefined) return false;
    if (!PERMISSION_TABLE[request.principal!.role!]?.breakGlass) throw forbidden(`the role ${request.principal!.role} cannot open records outside its scope (break-glass is for clinicians)`);
    return true;
  }
}

/** The reason from X-Break-Glass-Reason (percent-encoded UTF-8 allowed, 10-500 characters), or undefined; 400 if malformed. */
export function breakGlassReason(request: FastifyRequest): string | undefined {
  const raw = request.headers[BREAK_GLASS_HEADER];
  if (raw === undefined) return undefined;
  let reason: string;
  try {
    reason = decodeURIComponent(String(raw)).trim();
  } catch {
    throw new FhirError(400, issue('invalid', 'X-Break-Glass-Reason is not valid percent-encoded text', 'X-Break-Glass-Reason'));
  }
  if (reason.length < 10 || reason.length > 500) {
    throw new FhirError(400, issue('invalid', 'X-Break-Glass-Reason must say why, in 10 to 500 characters', 'X-Break-Glass-Reason'));
  }
  return reason;
}
