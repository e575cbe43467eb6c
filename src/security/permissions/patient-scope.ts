/**
 * Ward and department scopes: which patients an account of a scoped role may see.
 *   ward:       patients with an in-progress stay (Encounter) at the ward or one of its beds
 *   department: patients with a visit (Encounter, any status) whose service provider is the department
 * Decided from the hospital's own FHIR data through the repository's search (the departments'
 * tables are never read directly). Answers are cached for a few seconds per (scope, patient): a
 * nurse's ward list of twenty patients costs one search, not twenty per screen refresh; a transfer
 * out of the ward takes effect within that time.
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { RequestContext } from '../../fhir/repository/context.js';
import type { Principal } from '../principal.js';
import { PERMISSION_TABLE } from './permission-table.js';

const PATIENT_TTL_MS = 10_000;
const WARD_TTL_MS = 60_000;
const MAX_CACHE = 50_000;

type Resource = { resourceType: string; id?: string; [key: string]: unknown };

export class PatientScope {
  private patients = new Map<string, { inScope: boolean; until: number }>();
  private wardLocations = new Map<string, { refs: string[]; until: number }>();

  constructor(private readonly repo: FhirRepository, private readonly now: () => number = Date.now) {}

  /** The role's scope, and the ward or department it is bound to (null: none set, so no patients). */
  scopeOf(principal: Principal): { kind: 'hospital' } | { kind: 'ward' | 'department'; of: string | null } {
    const scope = principal.role ? PERMISSION_TABLE[principal.role].scope : 'hospital';
    if (scope === 'hospital') return { kind: 'hospital' };
    return { kind: scope, of: scope === 'ward' ? principal.ward : principal.department };
  }

  /** Those of `patients` ('Patient/<id>') the principal may not see. */
  async outside(principal: Principal, patients: string[]): Promise<string[]> {
    const scope = this.scopeOf(principal);
    if (scope.kind === 'hospital' || patients.length === 0) return [];
    if (!scope.of) return patients;
    const key = (p: string) => `${principal.hospitalId}|${scope.kind}:${scope.of}|${p}`;
    const now = this.now();
    const unknown = patients.filter((p) => (this.patients.get(key(p))?.until ?? 0) <= now);
    if (unknown.length > 0) {
      const inScope = await this.findInScope(principal.hospitalId, scope.kind, scope.of, unknown);
      if (this.patients.size > MAX_CACHE) this.patients.clear();
      for (const p of unknown) this.patients.set(key(p), { inScope: inScope.has(p), until: now + PATIENT_TTL_MS });
    }
    return patients.filter((p) => !this.patients.get(key(p))?.inScope);
  }

  /**
   * True when `resource` itself puts its patient into the principal's scope: the admission of a
   * patient to the ward clerk's ward, the OPD visit opened in the doctor's department.
   */
  async places(principal: Principal, resource: Resource): Promise<boolean> {
    const scope = this.scopeOf(principal);
    if (scope.kind === 'hospital' || !scope.of || resource.resourceType !== 'Encounter') return false;
    if (scope.kind === 'department') {
      return (resource.serviceProvider as { reference?: string } | undefined)?.reference === `Organization/${scope.of}`;
    }
    const locations = new Set(await this.locationsOfWard(principal.hospitalId, scope.of));
    const at = (resource.location as Array<{ location?: { reference?: string } }> | undefined) ?? [];
    return at.some((l) => l.location?.reference !== undefined && locations.has(l.location.reference));
  }

  /** Forgets cached answers (after an admission, transfer or discharge this process made). */
  forget(): void {
    this.patients.clear();
  }

  private async findInScope(hospitalId: string, kind: 'ward' | 'department', of: string, patients: string[]): Promise<Set<string>> {
    const params: Array<[string, string]> = [['patient', patients.join(',')], ['_count', '1000'], ['_elements', 'subject']];
    if (kind === 'ward') {
      params.push(['status', 'in-progress'], ['location', (await this.locationsOfWard(hospitalId, of)).join(',')]);
    } else {
      params.push(['service-provider', `Organization/${of}`]);
    }
    const bundle = await this.repo.search(systemContext(hospitalId), 'Encounter', params) as { entry?: Array<{ resource?: Resource }> };
    const found = new Set<string>();
    for (const e of bundle.entry ?? []) {
      const ref = (e.resource?.subject as { reference?: string } | undefined)?.reference;
      if (ref) found.add(ref);
    }
    return found;
  }

  /** The ward and the beds and rooms in it (Location.partOf), as references. */
  private async locationsOfWard(hospitalId: string, ward: string): Promise<string[]> {
    const key = `${hospitalId}|${ward}`;
    const cached = this.wardLocations.get(key);
    if (cached && cached.until > this.now()) return cached.refs;
    const bundle = await this.repo.search(systemContext(hospitalId), 'Location', [['partof', `Location/${ward}`], ['_count', '1000'], ['_elements', 'id']]) as
      { entry?: Array<{ resource?: Resource }> };
    const refs = [`Location/${ward}`, ...(bundle.entry ?? []).filter((e) => e.resource?.id).map((e) => `Location/${e.resource!.id}`)];
    this.wardLocations.set(key, { refs, until: this.now() + WARD_TTL_MS });
    return refs;
  }
}

function systemContext(hospitalId: string): RequestContext {
  return { hospitalId, actor: 'system:patient-scope', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
}
