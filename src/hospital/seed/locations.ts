/**
 * The physical hospital: buildings, wards with their beds, OPD consultation rooms, service rooms and
 * the laboratory sections. Beds are partOf their ward directly (Indian general wards are open bays),
 * so the bed board finds a ward's beds with one `partof` search. Every bed starts unoccupied; the
 * inpatient desk changes operationalStatus as patients are admitted, transferred and discharged.
 */
import type { LabSection } from './lab-catalogue-types.js';
import { concept, ref, type Coding, type Resource } from './fhir-shapes.js';
import { DEPARTMENTS, departmentOrgId, opdRoomId, type DepartmentKey } from './departments.js';
import { HOSPITAL_ID } from './organization.js';
import { SYSTEM } from './systems.js';

type PhysicalType = 'bu' | 'wi' | 'wa' | 'ro' | 'bd';

const PHYSICAL_TYPE_DISPLAY: Record<PhysicalType, string> = {
  bu: 'Building', wi: 'Wing', wa: 'Ward', ro: 'Room', bd: 'Bed',
};

/** v3 RoleCode service delivery location types used here. */
const ROLE = {
  hospitalUnit: { system: SYSTEM.roleCode, code: 'HU', display: 'Hospital unit' },
  icu: { system: SYSTEM.roleCode, code: 'ICU', display: 'Intensive care unit' },
  paediatricUnit: { system: SYSTEM.roleCode, code: 'PEDU', display: 'Pediatric unit' },
  emergencyRoom: { system: SYSTEM.roleCode, code: 'ER', display: 'Emergency room' },
  hospitalLab: { system: SYSTEM.roleCode, code: 'HLAB', display: 'Hospital laboratory' },
} satisfies Record<string, Coding>;

export interface Ward {
  id: string;
  name: string;
  /** Printed on bed labels and the bed board: MM-01, ICU-04. */
  bedPrefix: string;
  beds: number;
  /** The department that runs the ward; undefined for the hospital-wide ICU. */
  department?: DepartmentKey;
  type: Coding;
}

export const WARDS: readonly Ward[] = [
  { id: 'ward-medical-male', name: 'Medical Ward (Male)', bedPrefix: 'MM', beds: 12, department: 'general-medicine', type: ROLE.hospitalUnit },
  { id: 'ward-medical-female', name: 'Medical Ward (Female)', bedPrefix: 'MF', beds: 12, department: 'general-medicine', type: ROLE.hospitalUnit },
  { id: 'ward-surgical', name: 'Surgical Ward', bedPrefix: 'SW', beds: 10, department: 'general-surgery', type: ROLE.hospitalUnit },
  { id: 'ward-paediatric', name: 'Paediatric Ward', bedPrefix: 'PW', beds: 8, department: 'paediatrics', type: ROLE.paediatricUnit },
  { id: 'ward-icu', name: 'Intensive Care Unit (ICU)', bedPrefix: 'ICU', beds: 6, type: ROLE.icu },
];

export const MAIN_BLOCK = 'main-block';
export const OPD_BLOCK = 'opd-block';

export function bedId(ward: Ward, number: number): string {
  return `${ward.id}-bed-${String(number).padStart(2, '0')}`;
}

export function labSectionLocationId(section: LabSection): string {
  return `lab-${section}`;
}

const LAB_SECTIONS: Record<LabSection, string> = {
  haematology: 'Haematology',
  biochemistry: 'Clinical Biochemistry',
  'clinical-pathology': 'Clinical Pathology (urine, body fluids)',
  serology: 'Serology & Immunology',
};

interface LocationSpec {
  id: string;
  name: string;
  physicalType: PhysicalType;
  partOf?: string;
  type?: Coding;
  description?: string;
  managedBy?: string;
  bed?: boolean;
}

function location(spec: LocationSpec): Resource {
  const resource: Resource = {
    resourceType: 'Location',
    id: spec.id,
    status: 'active',
    name: spec.name,
    mode: 'instance',
    physicalType: concept({ system: SYSTEM.locationPhysicalType, code: spec.physicalType, display: PHYSICAL_TYPE_DISPLAY[spec.physicalType] }),
    managingOrganization: ref('Organization', spec.managedBy ?? HOSPITAL_ID),
  };
  if (spec.bed) resource.operationalStatus = { system: SYSTEM.bedStatus, code: 'U', display: 'Unoccupied' };
  if (spec.description) resource.description = spec.description;
  if (spec.type) resource.type = [concept(spec.type)];
  if (spec.partOf) resource.partOf = ref('Location', spec.partOf);
  return resource;
}

function deptOrg(key: DepartmentKey | undefined): string | undefined {
  return key && departmentOrgId(key);
}

/** All locations, parents before children (a reader can build the tree in one pass). */
export function hospitalLocations(): Resource[] {
  const specs: LocationSpec[] = [
    { id: MAIN_BLOCK, name: 'Main Block', physicalType: 'bu', description: 'Wards, ICU, Emergency and Laboratory' },
    { id: OPD_BLOCK, name: 'OPD Block', physicalType: 'bu', description: 'Registration, OPD consultation rooms, sample collection, billing' },
  ];
  for (const ward of WARDS) {
    specs.push({ id: ward.id, name: ward.name, physicalType: 'wa', partOf: MAIN_BLOCK, type: ward.type, managedBy: deptOrg(ward.department) });
    for (let n = 1; n <= ward.beds; n++) {
      specs.push({
        id: bedId(ward, n), name: `${ward.bedPrefix}-${String(n).padStart(2, '0')}`, physicalType: 'bd', bed: true,
        partOf: ward.id, description: `Bed ${n}, ${ward.name}`, managedBy: deptOrg(ward.department),
      });
    }
  }
  specs.push(
    { id: 'emergency-casualty', name: 'Emergency (Casualty)', physicalType: 'ro', partOf: MAIN_BLOCK, type: ROLE.emergencyRoom, managedBy: deptOrg('emergency') },
    { id: 'radiology-room', name: 'Radiology (X-ray & Ultrasound)', physicalType: 'ro', partOf: MAIN_BLOCK, managedBy: deptOrg('radiology') },
    { id: 'laboratory', name: 'Central Laboratory', physicalType: 'wi', partOf: MAIN_BLOCK, type: ROLE.hospitalLab, managedBy: deptOrg('laboratory-medicine') },
  );
  for (const [section, name] of Object.entries(LAB_SECTIONS) as [LabSection, string][]) {
    specs.push({ id: labSectionLocationId(section), name: `Laboratory — ${name}`, physicalType: 'ro', partOf: 'laboratory', type: ROLE.hospitalLab, managedBy: deptOrg('laboratory-medicine') });
  }
  specs.push(
    { id: 'registration-hall', name: 'OPD Registration Hall', physicalType: 'ro', partOf: OPD_BLOCK, description: 'New and follow-up registration counters (UHID, OPD slips)' },
    { id: 'billing-counter', name: 'Billing & Cash Counter', physicalType: 'ro', partOf: OPD_BLOCK },
    { id: 'sample-collection-room', name: 'Sample Collection (Phlebotomy) Room', physicalType: 'ro', partOf: OPD_BLOCK, type: ROLE.hospitalLab, managedBy: deptOrg('laboratory-medicine') },
  );
  for (const department of DEPARTMENTS) {
    if (department.kind !== 'opd') continue;
    specs.push({
      id: opdRoomId(department.key), name: `OPD Room ${department.opdRoomNumber} — ${department.name}`, physicalType: 'ro',
      partOf: OPD_BLOCK, managedBy: deptOrg(department.key),
    });
  }
  return specs.map(location);
}
