/**
 * The permission table compiled for the request path: one Set lookup per request. Everything that
 * asks "may this role do this" asks here, so the API, the CapabilityStatement, `nirantar
 * permissions` and the role matrix test cannot disagree.
 */
import { supportedResourceTypes } from '../../fhir/resource-types.js';
import type { Role } from '../principal.js';
import { INTERACTIONS, PERMISSION_TABLE, type Interaction, type RolePermissions } from './permission-table.js';
import { RESOURCE_GROUPS } from './resource-groups.js';

export { INTERACTIONS, PERMISSION_TABLE, type Interaction, type Scope } from './permission-table.js';

let compiled: Map<Role, Map<string, Set<Interaction>>> | undefined;

function compile(): Map<Role, Map<string, Set<Interaction>>> {
  const all = [...supportedResourceTypes()];
  const result = new Map<Role, Map<string, Set<Interaction>>>();
  for (const [role, permissions] of Object.entries(PERMISSION_TABLE) as Array<[Role, RolePermissions]>) {
    const byType = new Map<string, Set<Interaction>>();
    for (const grant of permissions.grants) {
      const types = [...(grant.groups ?? []).flatMap((g) => RESOURCE_GROUPS[g]), ...(grant.types ?? [])];
      for (const type of types.includes('*') ? all : types) {
        const set = byType.get(type) ?? new Set<Interaction>();
        for (const interaction of grant.may) set.add(interaction);
        byType.set(type, set);
      }
    }
    result.set(role, byType);
  }
  return result;
}

function table(): Map<Role, Map<string, Set<Interaction>>> {
  compiled ??= compile();
  return compiled;
}

/** Whether `role` may do `interaction` on `resourceType`. Unknown roles and types: no. */
export function may(role: Role | null | undefined, resourceType: string, interaction: Interaction): boolean {
  if (!role) return false;
  return table().get(role)?.get(resourceType)?.has(interaction) ?? false;
}

/** The interactions `role` has on `resourceType`, in table order. */
export function interactionsOf(role: Role, resourceType: string): Interaction[] {
  const set = table().get(role)?.get(resourceType);
  return set ? INTERACTIONS.filter((i) => set.has(i)) : [];
}

/** The resource types `role` can do anything with, sorted. */
export function typesOf(role: Role): string[] {
  return [...(table().get(role)?.entries() ?? [])].filter(([, set]) => set.size > 0).map(([type]) => type).sort();
}

export function permissionsOf(role: Role): RolePermissions {
  return PERMISSION_TABLE[role];
}

export const ROLES = Object.keys(PERMISSION_TABLE) as Role[];

/**
 * The table for a person: one line per role and resource type it can use, with the letters of the
 * interactions (r read, s search, h history, c create, u update, d delete).
 */
export function permissionTableText(): string {
  const letters: Record<Interaction, string> = { read: 'r', search: 's', history: 'h', create: 'c', update: 'u', delete: 'd' };
  const lines: string[] = ['Interactions: r read, s search, h history, c create, u update (and patch), d delete. Anything not listed is denied.', ''];
  for (const role of ROLES) {
    const p = PERMISSION_TABLE[role];
    lines.push(`${role} — ${p.describe}`);
    lines.push(`  scope: ${p.scope}${p.breakGlass ? ' (break-glass with a reason)' : ''}`);
    const byLetters = new Map<string, string[]>();
    for (const type of typesOf(role)) {
      const key = interactionsOf(role, type).map((i) => letters[i]).join('');
      byLetters.set(key, [...(byLetters.get(key) ?? []), type]);
    }
    for (const [key, types] of [...byLetters].sort((a, b) => b[0].length - a[0].length)) {
      lines.push(`  ${key.padEnd(6)} ${types.join(', ')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
