/**
 * What every laboratory route plugin is given (specimen-routes.ts, result-routes.ts): the FHIR
 * repository it reads and writes through, the database for the ledger-locked allocations, and the
 * access control that applies the permission table. The lead registers each plugin at /api/lab.
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { AccessControl } from '../../security/access-control.js';
import type { Database } from '../../store/database.js';

export interface LabRouteOptions {
  repo: FhirRepository;
  db: Database;
  access: AccessControl;
}
