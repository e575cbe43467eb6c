/**
 * The demo staff (invented names): doctors across the departments, nursing officers, laboratory
 * technicians, a pathologist and clerks. Each is a Practitioner (the person, qualifications) and a
 * PractitionerRole (what they do here: department, service, location, OPD days), because the same
 * doctor's role and OPD days change while the person and their degrees do not.
 */
import { concept, ref, type Coding, type Resource } from './fhir-shapes.js';
import { departmentByKey, departmentCodings, departmentOrgId, opdRoomId, type DepartmentKey } from './departments.js';
import { HOSPITAL_ID } from './organization.js';
import { IDENTIFIER, LOCAL_CODE, SYSTEM } from './systems.js';

export type StaffRole =
  | 'consultant' | 'senior-resident' | 'nursing-officer' | 'pathologist' | 'lab-technician'
  | 'registration-clerk' | 'billing-clerk';

const ROLE_DISPLAY: Record<StaffRole, string> = {
  consultant: 'Consultant',
  'senior-resident': 'Senior Resident',
  'nursing-officer': 'Nursing Officer',
  pathologist: 'Pathologist',
  'lab-technician': 'Laboratory Technician',
  'registration-clerk': 'Registration Clerk',
  'billing-clerk': 'Billing Clerk',
};

/** The HL7 practitioner-role code where one fits; clerks and technicians have none. */
const HL7_ROLE: Partial<Record<StaffRole, 'doctor' | 'nurse'>> = {
  consultant: 'doctor', 'senior-resident': 'doctor', pathologist: 'doctor', 'nursing-officer': 'nurse',
};

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface StaffMember {
  id: string;
  employeeCode: string;
  prefix?: string;
  given: string[];
  family: string;
  gender: 'male' | 'female';
  role: StaffRole;
  /** Undefined for hospital-wide posts (registration, billing). */
  department?: DepartmentKey;
  qualification?: string;
  /** Where the person works; OPD doctors default to their department's OPD room. */
  locations?: string[];
  /** Unit OPD days, as Indian public hospitals run them. */
  opdDays?: Day[];
}

export const STAFF: readonly StaffMember[] = [
  { id: 'dr-anita-rao', employeeCode: 'EMP-0001', prefix: 'Dr.', given: ['Anita'], family: 'Rao', gender: 'female',
    role: 'consultant', department: 'general-medicine', qualification: 'MBBS, MD (General Medicine)', opdDays: ['mon', 'thu'] },
  { id: 'dr-farhan-qureshi', employeeCode: 'EMP-0002', prefix: 'Dr.', given: ['Farhan'], family: 'Qureshi', gender: 'male',
    role: 'senior-resident', department: 'general-medicine', qualification: 'MBBS, MD (General Medicine)',
    locations: ['ward-medical-male', 'ward-medical-female'] },
  { id: 'dr-suresh-iyer', employeeCode: 'EMP-0003', prefix: 'Dr.', given: ['Suresh'], family: 'Iyer', gender: 'male',
    role: 'consultant', department: 'general-surgery', qualification: 'MBBS, MS (General Surgery)', opdDays: ['tue', 'fri'] },
  { id: 'dr-meenakshi-sundaram', employeeCode: 'EMP-0004', prefix: 'Dr.', given: ['Meenakshi'], family: 'Sundaram', gender: 'female',
    role: 'consultant', department: 'paediatrics', qualification: 'MBBS, MD (Paediatrics)', opdDays: ['mon', 'wed', 'fri'] },
  { id: 'dr-kavita-deshpande', employeeCode: 'EMP-0005', prefix: 'Dr.', given: ['Kavita'], family: 'Deshpande', gender: 'female',
    role: 'consultant', department: 'obstetrics-gynaecology', qualification: 'MBBS, MS (Obstetrics & Gynaecology)', opdDays: ['tue', 'thu', 'sat'] },
  { id: 'dr-harpreet-gill', employeeCode: 'EMP-0006', prefix: 'Dr.', given: ['Harpreet', 'Singh'], family: 'Gill', gender: 'male',
    role: 'consultant', department: 'orthopaedics', qualification: 'MBBS, MS (Orthopaedics)', opdDays: ['wed', 'sat'] },
  { id: 'dr-nandini-bhattacharya', employeeCode: 'EMP-0007', prefix: 'Dr.', given: ['Nandini'], family: 'Bhattacharya', gender: 'female',
    role: 'consultant', department: 'ophthalmology', qualification: 'MBBS, MS (Ophthalmology)', opdDays: ['mon', 'thu'] },
  { id: 'dr-arjun-menon', employeeCode: 'EMP-0008', prefix: 'Dr.', given: ['Arjun'], family: 'Menon', gender: 'male',
    role: 'consultant', department: 'ent', qualification: 'MBBS, MS (ENT)', opdDays: ['tue', 'fri'] },
  { id: 'dr-sanjay-kulkarni', employeeCode: 'EMP-0009', prefix: 'Dr.', given: ['Sanjay'], family: 'Kulkarni', gender: 'male',
    role: 'consultant', department: 'cardiology', qualification: 'MBBS, MD (Medicine), DM (Cardiology)', opdDays: ['wed', 'sat'] },
  { id: 'dr-prakash-verma', employeeCode: 'EMP-0010', prefix: 'Dr.', given: ['Prakash', 'Chandra'], family: 'Verma', gender: 'male',
    role: 'consultant', department: 'radiology', qualification: 'MBBS, MD (Radiodiagnosis)' },
  { id: 'dr-aisha-khan', employeeCode: 'EMP-0011', prefix: 'Dr.', given: ['Aisha'], family: 'Khan', gender: 'female',
    role: 'consultant', department: 'emergency', qualification: 'MBBS, MD (Emergency Medicine)' },
  { id: 'dr-fatima-siddiqui', employeeCode: 'EMP-0012', prefix: 'Dr.', given: ['Fatima'], family: 'Siddiqui', gender: 'female',
    role: 'pathologist', department: 'laboratory-medicine', qualification: 'MBBS, MD (Pathology)', locations: ['laboratory'] },
  { id: 'mary-thomas', employeeCode: 'EMP-0101', given: ['Mary'], family: 'Thomas', gender: 'female',
    role: 'nursing-officer', department: 'general-medicine', qualification: 'B.Sc. Nursing',
    locations: ['ward-medical-male', 'ward-medical-female'] },
  { id: 'pooja-yadav', employeeCode: 'EMP-0102', given: ['Pooja'], family: 'Yadav', gender: 'female',
    role: 'nursing-officer', department: 'general-surgery', qualification: 'GNM (General Nursing & Midwifery)',
    locations: ['ward-surgical'] },
  { id: 'joseph-kurian', employeeCode: 'EMP-0103', given: ['Joseph'], family: 'Kurian', gender: 'male',
    role: 'nursing-officer', department: 'emergency', qualification: 'B.Sc. Nursing, Critical Care Nursing certificate',
    locations: ['ward-icu', 'emergency-casualty'] },
  { id: 'rahul-gupta', employeeCode: 'EMP-0201', given: ['Rahul'], family: 'Gupta', gender: 'male',
    role: 'lab-technician', department: 'laboratory-medicine', qualification: 'B.Sc. MLT',
    locations: ['lab-haematology', 'lab-biochemistry'] },
  { id: 'lakshmi-narayanan', employeeCode: 'EMP-0202', given: ['Lakshmi'], family: 'Narayanan', gender: 'female',
    role: 'lab-technician', department: 'laboratory-medicine', qualification: 'DMLT',
    locations: ['sample-collection-room', 'lab-clinical-pathology', 'lab-serology'] },
  { id: 'deepak-chauhan', employeeCode: 'EMP-0301', given: ['Deepak'], family: 'Chauhan', gender: 'male',
    role: 'registration-clerk', locations: ['registration-hall'] },
  { id: 'sunita-devi', employeeCode: 'EMP-0302', given: ['Sunita'], family: 'Devi', gender: 'female',
    role: 'billing-clerk', locations: ['billing-counter'] },
];

function displayName(member: StaffMember): string {
  return [member.prefix, ...member.given, member.family].filter(Boolean).join(' ');
}

export function practitioner(member: StaffMember): Resource {
  const name: Record<string, unknown> = { use: 'official', text: displayName(member), family: member.family, given: member.given };
  if (member.prefix) name.prefix = [member.prefix];
  const resource: Resource = {
    resourceType: 'Practitioner',
    id: member.id,
    identifier: [{ system: IDENTIFIER.staff, value: member.employeeCode }],
    active: true,
    name: [name],
    gender: member.gender,
  };
  if (member.qualification) resource.qualification = [{ code: { text: member.qualification } }];
  return resource;
}

function roleCodings(role: StaffRole): Coding[] {
  const codings: Coding[] = [{ system: LOCAL_CODE.staffRole, code: role, display: ROLE_DISPLAY[role] }];
  const hl7 = HL7_ROLE[role];
  if (hl7) codings.push({ system: SYSTEM.practitionerRole, code: hl7, display: hl7 === 'doctor' ? 'Doctor' : 'Nurse' });
  return codings;
}

export function practitionerRole(member: StaffMember): Resource {
  const department = member.department && departmentByKey(member.department);
  const locations = member.locations ?? (department?.kind === 'opd' ? [opdRoomId(department.key)] : []);
  const resource: Resource = {
    resourceType: 'PractitionerRole',
    id: `${member.id}-role`,
    active: true,
    practitioner: ref('Practitioner', member.id, displayName(member)),
    organization: department ? ref('Organization', departmentOrgId(department.key), department.name) : ref('Organization', HOSPITAL_ID),
    code: [concept(roleCodings(member.role), ROLE_DISPLAY[member.role])],
  };
  if (department) {
    resource.specialty = [concept(departmentCodings(department), department.name)];
    resource.healthcareService = [ref('HealthcareService', department.key)];
  }
  if (locations.length > 0) resource.location = locations.map((id) => ref('Location', id));
  if (member.opdDays) {
    resource.availableTime = [{ daysOfWeek: member.opdDays, availableStartTime: '09:00:00', availableEndTime: '13:00:00' }];
  }
  return resource;
}
