/**
 * Who may do what: the one place where the hospital's access rules live. Deny by default: a role
 * may do only what a line below grants. Read top to bottom by a person (`nirantar permissions`
 * prints it as a table); the FHIR API enforces it, the CapabilityStatement shows each caller what
 * their role may do, and the role matrix test checks every cell of it over HTTP.
 *
 * Interactions: read (incl. vread), search, history, create, update (incl. patch and conditional
 * update), delete. Nobody deletes clinical records: FHIR's answer to a mistake is a new version with
 * status entered-in-error, which keeps what was wrong visible to whoever relied on it.
 *
 * Scope: 'ward' and 'department' limit a role's access to patient data to the patients of the
 * account's ward (an in-progress stay there) or department (a visit with it). An account of a
 * scoped role with no ward/department set sees no patient data at all. A clinician may open a
 * record outside the scope by giving a reason (break-glass): allowed, flagged, listed for review.
 */
import type { Role } from '../principal.js';
import type { ResourceGroup } from './resource-groups.js';

export const INTERACTIONS = ['read', 'search', 'history', 'create', 'update', 'delete'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

export type Scope = 'hospital' | 'ward' | 'department';

export interface Grant {
  /** Groups of resource types (resource-groups.ts) and/or single types. */
  groups?: ResourceGroup[];
  types?: string[];
  may: Interaction[];
}

export interface RolePermissions {
  /** What the role is, in the hospital's words. */
  describe: string;
  scope: Scope;
  /** May open a record outside the scope by giving a reason. */
  breakGlass: boolean;
  grants: Grant[];
}

const READ: Interaction[] = ['read', 'search'];
const READ_HISTORY: Interaction[] = ['read', 'search', 'history'];
const WRITE: Interaction[] = ['read', 'search', 'history', 'create', 'update'];
const REFERENCE: Grant = { groups: ['directory', 'catalogue'], may: READ };

export const PERMISSION_TABLE: Readonly<Record<Role, RolePermissions>> = {
  'registration-clerk': {
    describe: 'Registers patients (UHID, demographics) and opens OPD visits at the registration counter',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: WRITE },
      { groups: ['visits'], may: ['read', 'search', 'create'] },
      { groups: ['scheduling'], may: READ },
      REFERENCE,
    ],
  },
  'appointment-desk': {
    describe: 'Books, reschedules and cancels appointments; checks patients in and issues OPD tokens',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: READ },
      { groups: ['scheduling'], may: WRITE },
      { groups: ['visits'], may: ['read', 'search', 'create', 'update'] },
      REFERENCE,
    ],
  },
  doctor: {
    describe: "Sees the patients of the department's visits; records consultations, diagnoses, prescriptions and orders",
    scope: 'department',
    breakGlass: true,
    grants: [
      { groups: ['patient-identity'], may: ['read', 'search', 'history', 'update'] },
      { groups: ['scheduling'], may: READ },
      { groups: ['visits', 'clinical-record', 'medication', 'observations', 'orders'], may: WRITE },
      { groups: ['laboratory'], may: READ_HISTORY },
      // Critical lab values reach the ordering doctor as Communications; the doctor acknowledges them.
      { types: ['Communication'], may: ['read', 'search', 'update'] },
      REFERENCE,
    ],
  },
  nurse: {
    describe: "Cares for the inpatients of her ward: vitals, medication given, nursing notes",
    scope: 'ward',
    breakGlass: true,
    grants: [
      { groups: ['patient-identity'], may: READ_HISTORY },
      { groups: ['visits'], may: ['read', 'search', 'history', 'update'] },
      { groups: ['observations', 'clinical-record'], may: WRITE },
      { groups: ['medication'], may: READ_HISTORY },
      { types: ['MedicationAdministration'], may: ['create', 'update'] },
      { groups: ['orders', 'laboratory'], may: READ },
      REFERENCE,
    ],
  },
  'ward-clerk': {
    describe: "Admits, transfers and discharges the ward's patients and keeps the bed board",
    scope: 'ward',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: READ },
      { groups: ['visits'], may: WRITE },
      { types: ['Location'], may: ['update'] },
      REFERENCE,
    ],
  },
  'lab-technician': {
    describe: 'Collects and receives samples, runs the analyzers, enters and technically validates results',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: READ },
      { groups: ['visits'], may: READ },
      // create: a walk-in's outside prescription is entered at the lab counter as an order.
      { groups: ['orders'], may: ['read', 'search', 'create', 'update'] },
      { groups: ['laboratory', 'observations'], may: WRITE },
      // A critical value is phoned through as a Communication to the ordering doctor.
      { types: ['Communication'], may: ['create'] },
      REFERENCE,
    ],
  },
  pathologist: {
    describe: "Authorises lab reports; reads the clinical record that explains a result",
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity', 'visits', 'clinical-record', 'medication'], may: READ_HISTORY },
      { groups: ['orders'], may: ['read', 'search', 'history', 'update'] },
      { groups: ['laboratory', 'observations'], may: WRITE },
      { types: ['Communication'], may: ['create'] },
      REFERENCE,
    ],
  },
  'billing-clerk': {
    describe: 'Raises charges and invoices, takes payments, handles insurance claims',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: READ },
      { groups: ['visits', 'orders'], may: READ },
      { groups: ['billing'], may: WRITE },
      REFERENCE,
    ],
  },
  admin: {
    describe: 'Runs the system: accounts, departments, wards and beds, catalogue and tariff, patient merges; sees the trail, not the clinical record',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['directory', 'catalogue'], may: [...WRITE, 'delete'] },
      { groups: ['patient-identity'], may: ['read', 'search', 'history', 'update'] },
      { groups: ['messages', 'trail'], may: READ },
    ],
  },
  auditor: {
    describe: 'Investigates: reads the trail and, to follow it, any record; changes nothing',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      {
        groups: ['patient-identity', 'scheduling', 'visits', 'clinical-record', 'medication', 'observations', 'orders', 'laboratory',
          'billing', 'directory', 'catalogue', 'messages', 'trail'],
        may: READ_HISTORY,
      },
    ],
  },
  device: {
    describe: 'The device gateway: reads orders and samples, writes analyzer results',
    scope: 'hospital',
    breakGlass: false,
    grants: [
      { groups: ['patient-identity'], may: READ },
      // Orders arriving over HL7 (OML/ORM) become ServiceRequests; results create their reports,
      // and a critical value from an analyzer alerts the ordering doctor like a typed one.
      { groups: ['orders'], may: ['read', 'search', 'create'] },
      { groups: ['laboratory'], may: ['read', 'search', 'create', 'update'] },
      { groups: ['observations'], may: ['read', 'search', 'create', 'update'] },
      { types: ['Communication'], may: ['create'] },
      REFERENCE,
    ],
  },
  bootstrap: {
    describe: 'The setup token printed at first start: everything, until an admin exists and it is revoked (nirantar bootstrap-token --revoke)',
    scope: 'hospital',
    breakGlass: false,
    grants: [{ types: ['*'], may: [...INTERACTIONS] }],
  },
};
