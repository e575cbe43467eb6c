/**
 * Clinical and diagnostic departments. Each is an Organization (partOf the hospital: who is
 * responsible) and a HealthcareService (what a patient can be registered, booked or referred to,
 * where and when). Outpatient hours are those of an Indian public hospital OPD: registration in the
 * morning, Monday to Saturday; Emergency never closes.
 */
import { concept, ref, type Coding, type Resource } from './fhir-shapes.js';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.js';
import { IDENTIFIER, LOCAL_CODE, SYSTEM } from './systems.js';

export type DepartmentKey =
  | 'general-medicine' | 'general-surgery' | 'paediatrics' | 'obstetrics-gynaecology' | 'orthopaedics'
  | 'ophthalmology' | 'ent' | 'cardiology' | 'laboratory-medicine' | 'radiology' | 'emergency';

export interface Department {
  key: DepartmentKey;
  code: string;
  name: string;
  /** SNOMED CT practice setting (FHIR R4 c80-practice-codes), where we are sure of the code. */
  specialty?: { code: string; display: string };
  /** 'opd' departments get an OPD consultation room and a consultation tariff. */
  kind: 'opd' | 'diagnostic' | 'emergency';
  /** Where the service is delivered, for departments without an OPD room. */
  serviceLocation?: string;
  opdRoomNumber?: number;
}

export const DEPARTMENTS: readonly Department[] = [
  { key: 'general-medicine', code: 'GENMED', name: 'General Medicine', kind: 'opd', opdRoomNumber: 101,
    specialty: { code: '394802001', display: 'General medicine' } },
  { key: 'general-surgery', code: 'GENSURG', name: 'General Surgery', kind: 'opd', opdRoomNumber: 102,
    specialty: { code: '394609007', display: 'General surgery' } },
  { key: 'paediatrics', code: 'PAED', name: 'Paediatrics', kind: 'opd', opdRoomNumber: 103,
    specialty: { code: '394537008', display: 'Pediatric specialty' } },
  { key: 'obstetrics-gynaecology', code: 'OBG', name: 'Obstetrics & Gynaecology', kind: 'opd', opdRoomNumber: 104,
    specialty: { code: '394585009', display: 'Obstetrics and gynecology' } },
  { key: 'orthopaedics', code: 'ORTHO', name: 'Orthopaedics', kind: 'opd', opdRoomNumber: 105,
    specialty: { code: '394801008', display: 'Trauma and orthopedics' } },
  { key: 'ophthalmology', code: 'OPHTH', name: 'Ophthalmology', kind: 'opd', opdRoomNumber: 106,
    specialty: { code: '394594003', display: 'Ophthalmology' } },
  { key: 'ent', code: 'ENT', name: 'ENT (Otorhinolaryngology)', kind: 'opd', opdRoomNumber: 107,
    specialty: { code: '418960008', display: 'Otolaryngology' } },
  { key: 'cardiology', code: 'CARDIO', name: 'Cardiology', kind: 'opd', opdRoomNumber: 108,
    specialty: { code: '394579002', display: 'Cardiology' } },
  { key: 'laboratory-medicine', code: 'LAB', name: 'Laboratory Medicine & Pathology', kind: 'diagnostic',
    serviceLocation: 'sample-collection-room', specialty: { code: '394915009', display: 'General pathology' } },
  { key: 'radiology', code: 'RADIO', name: 'Radiology', kind: 'diagnostic', serviceLocation: 'radiology-room',
    specialty: { code: '394914008', display: 'Radiology' } },
  // No SNOMED practice-setting code here: we were not sure which one R4's value set lists for
  // emergency medicine, and a wrong code is worse than the local one alone.
  { key: 'emergency', code: 'EMERG', name: 'Emergency (Casualty)', kind: 'emergency', serviceLocation: 'emergency-casualty' },
];

export function departmentOrgId(key: DepartmentKey): string {
  return `dept-${key}`;
}

export function opdRoomId(key: DepartmentKey): string {
  return `opd-room-${key}`;
}

export function departmentByKey(key: DepartmentKey): Department {
  const department = DEPARTMENTS.find((d) => d.key === key);
  if (!department) throw new Error(`unknown department '${key}'`);
  return department;
}

/** The department as a code: local code first, SNOMED practice setting where known. */
export function departmentCodings(department: Department): Coding[] {
  const codings: Coding[] = [{ system: LOCAL_CODE.department, code: department.code, display: department.name }];
  if (department.specialty) codings.push({ system: SYSTEM.snomed, ...department.specialty });
  return codings;
}

export function departmentOrganization(department: Department): Resource {
  return {
    resourceType: 'Organization',
    id: departmentOrgId(department.key),
    identifier: [{ system: IDENTIFIER.department, value: department.code }],
    active: true,
    type: [concept({ system: SYSTEM.organizationType, code: 'dept', display: 'Hospital Department' })],
    name: department.name,
    partOf: ref('Organization', HOSPITAL_ID, HOSPITAL_NAME),
  };
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function availableTime(department: Department): Record<string, unknown>[] {
  switch (department.kind) {
    case 'emergency':
      return [{ daysOfWeek: [...WEEKDAYS, 'sun'], allDay: true }];
    case 'diagnostic':
      return [{ daysOfWeek: WEEKDAYS, availableStartTime: '08:00:00', availableEndTime: '14:00:00' }];
    case 'opd':
      return [{ daysOfWeek: WEEKDAYS, availableStartTime: '08:00:00', availableEndTime: '13:00:00' }];
  }
}

export function healthcareService(department: Department): Resource {
  const location = department.kind === 'opd' ? opdRoomId(department.key) : department.serviceLocation;
  if (!location) throw new Error(`department '${department.key}' has no service location`);
  const [local, ...specialty] = departmentCodings(department);
  const service: Resource = {
    resourceType: 'HealthcareService',
    id: department.key,
    active: true,
    providedBy: ref('Organization', departmentOrgId(department.key), department.name),
    type: [concept(local, department.name)],
    location: [ref('Location', location)],
    name: department.kind === 'opd' ? `${department.name} OPD` : department.name,
    appointmentRequired: false,
    availableTime: availableTime(department),
  };
  if (specialty.length > 0) service.specialty = [concept(specialty)];
  return service;
}
