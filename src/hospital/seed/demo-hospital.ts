/**
 * The demo hospital that `nirantar seed` (and the first `npm start`) loads: one FHIR R4 transaction
 * Bundle with the hospital, its departments and services, staff, buildings/wards/beds/rooms, the
 * laboratory catalogue and the tariff. Every entry is a PUT to a stable, readable id, and the fullUrls
 * are name-based UUIDs, so the bundle is identical on every call and seeding twice changes nothing.
 * No patients: registration creates those (UHID system in systems.ts).
 */
import type { Bundle, Resource } from './fhir-shapes.js';
import { DEPARTMENTS, departmentOrganization, healthcareService } from './departments.js';
import { labDefinitions } from './lab-definitions.js';
import { answerValueSets, labResultCodeSystem } from './lab-result-codes.js';
import { hospitalLocations } from './locations.js';
import { hospitalOrganization } from './organization.js';
import { STAFF, practitioner, practitionerRole } from './staff.js';
import { stableUuid } from './stable-uuid.js';
import { tariff } from './tariff.js';

export type { Bundle } from './fhir-shapes.js';

/**
 * Resources in dependency order (what is referenced comes first), so that a reader or a server that
 * applies entries in order never meets a reference to something not yet written.
 */
function demoResources(): Resource[] {
  return [
    hospitalOrganization(),
    ...DEPARTMENTS.map(departmentOrganization),
    ...hospitalLocations(),
    ...DEPARTMENTS.map(healthcareService),
    ...STAFF.map(practitioner),
    ...STAFF.map(practitionerRole),
    labResultCodeSystem(),
    ...answerValueSets(),
    ...labDefinitions(),
    ...tariff(),
  ];
}

export function demoHospitalBundle(): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: demoResources().map((resource) => {
      const url = `${resource.resourceType}/${resource.id}`;
      return { fullUrl: `urn:uuid:${stableUuid(url)}`, resource, request: { method: 'PUT', url } };
    }),
  };
}

/** How many resources of each type the bundle holds, in first-appearance order (for the CLI to print). */
export function describeDemoHospital(bundle: Bundle): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of bundle.entry) {
    const type = entry.resource.resourceType;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
