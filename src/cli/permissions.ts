/** nirantar permissions: the permission table as a person reads it (what each role may do). */
import { loadDefinitions } from '../fhir/definitions.js';
import { interactionsOf, permissionTableText, ROLES } from '../security/permissions/permissions.js';
import { isAccountRole } from '../security/accounts/account-roles.js';
import type { Command } from './command.js';

export const permissionsCommand: Command = {
  name: 'permissions',
  summary: 'print who may do what (the permission table)',
  options: { role: { type: 'string' }, type: { type: 'string' } },
  help: `Usage: nirantar permissions [--role ROLE] [--type ResourceType]

Prints the permission table: for each role, its scope (hospital, ward or department), whether it
may break the glass, and which interactions it has on which FHIR resource types. Anything not
listed is denied. With --role and --type, prints the interactions of that one cell.

Roles: ${ROLES.join(', ')}`,
  async run(values) {
    loadDefinitions();
    const role = values.role as string | undefined;
    const type = values.type as string | undefined;
    if (role !== undefined && !(role === 'bootstrap' || isAccountRole(role))) {
      console.error(`nirantar permissions: unknown role "${role}"; roles: ${ROLES.join(', ')}`);
      return 2;
    }
    if (role && type) {
      const cell = interactionsOf(role as (typeof ROLES)[number], type);
      console.log(`${role} on ${type}: ${cell.length ? cell.join(', ') : 'nothing (denied)'}`);
      return 0;
    }
    const text = permissionTableText();
    console.log(role ? text.split('\n\n').filter((block) => block.startsWith(`${role} `) || block.startsWith('Interactions')).join('\n\n') : text);
    return 0;
  },
};
