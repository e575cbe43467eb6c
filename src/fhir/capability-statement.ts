/**
 * The CapabilityStatement, derived from what the code supports: the resource types of
 * resource-types.ts and, for each, the search parameters the index actually holds.
 */
import type { Role } from '../security/principal.js';
import { INTERACTIONS, interactionsOf, type Interaction } from '../security/permissions/permissions.js';
import { searchParametersFor } from './definitions.js';
import { supportedResourceTypes } from './resource-types.js';

/** The FHIR interaction codes each interaction of the permission table stands for. */
const FHIR_CODES: Record<Interaction, string[]> = {
  read: ['read', 'vread'],
  update: ['update', 'patch'],
  delete: ['delete'],
  history: ['history-instance', 'history-type'],
  create: ['create'],
  search: ['search-type'],
};

const INDEXED_TYPES = new Set(['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']);
const NOT_INDEXED = new Set(['_text', '_content', '_query']);

/** `Type:param` for every reference search parameter of any type that may point at `type`. */
function revIncludesOf(type: string, types: string[]): string[] {
  const out: string[] = [];
  for (const source of types) {
    for (const sp of searchParametersFor(source).values()) {
      if (sp.type === 'reference' && (sp.target ?? []).includes(type)) out.push(`${source}:${sp.code}`);
    }
  }
  return out;
}

/**
 * For `role`, only the resource types and interactions the permission table gives it: a client sees
 * what it may do. Without a role (a tool asking what the server can do at all), everything.
 */
export function capabilityStatement(baseUrl: string, role: Role | null = null): Record<string, unknown> {
  const allowed = (type: string): Interaction[] => (role ? interactionsOf(role, type) : [...INTERACTIONS]);
  const types = [...supportedResourceTypes()].filter((type) => allowed(type).length > 0).sort();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-26',
    kind: 'instance',
    software: { name: 'Nirantar', version: '0.1.0' },
    implementation: { description: 'Nirantar hospital information system: FHIR R4 on a hash-chained ledger', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [{
      mode: 'server',
      security: {
        cors: false,
        description: 'Every request needs a signed-in session (cookie) or Authorization: Bearer <token>. '
          + `What each role may do is the permission table (nirantar permissions)${role ? `; this statement shows the role ${role}` : ''}.`,
      },
      interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
      resource: types.map((type) => ({
        type,
        versioning: 'versioned-update',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        conditionalUpdate: true,
        conditionalDelete: 'not-supported',
        interaction: allowed(type).flatMap((i) => FHIR_CODES[i]).map((code) => ({ code })),
        searchInclude: ['*', ...[...searchParametersFor(type).values()].filter((sp) => sp.type === 'reference').map((sp) => `${type}:${sp.code}`)],
        searchRevInclude: revIncludesOf(type, types),
        searchParam: [...searchParametersFor(type).values()]
          .filter((sp) => INDEXED_TYPES.has(sp.type) && !NOT_INDEXED.has(sp.code))
          .map((sp) => ({ name: sp.code, definition: sp.url, type: sp.type })),
      })),
    }],
  };
}
