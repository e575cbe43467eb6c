/**
 * One route per desk, by path (/registration); the server answers every such path with the app.
 * A desk is listed only for the roles that work at it, and only once it exists.
 */
import { useCallback, useEffect, useState, type ComponentType } from 'react';
import { ACCOUNT_ROLES } from '../../../src/security/accounts/account-roles.js';
import { AppointmentsDesk } from '../desks/appointments/appointments-desk.js';
import { DoctorConsole } from '../desks/doctor/doctor-console.js';
import { FiguresDesk } from '../desks/figures/figures-desk.js';
import { BenchDesk } from '../desks/lab/bench-desk.js';
import { CriticalAlertsDesk } from '../desks/lab/critical-alerts-desk.js';
import { PhlebotomyDesk } from '../desks/lab/phlebotomy-desk.js';
import { ReceiptDesk } from '../desks/lab/receipt-desk.js';
import { ReportsDesk } from '../desks/lab/reports-desk.js';
import { AuthorisationDesk, ValidationDesk } from '../desks/lab/review-desk.js';
import { DeviceReviewDesk } from '../desks/lab/review-items-desk.js';
import { TurnaroundDesk } from '../desks/lab/tat-desk.js';
import { QueueBoard } from '../desks/queue/queue-board.js';
import { RegistrationDesk } from '../desks/registration/registration-desk.js';

export interface Desk {
  path: string;
  title: string;
  /** Alt+<key> opens it. */
  key: string;
  roles: readonly string[];
  Screen: ComponentType;
}

export const DESKS: readonly Desk[] = [
  { path: '/registration', title: 'Registration', key: 'r', roles: ['registration-clerk', 'admin'], Screen: RegistrationDesk },
  { path: '/appointments', title: 'Appointments', key: 'a', roles: ['appointment-desk', 'registration-clerk', 'admin'], Screen: AppointmentsDesk },
  { path: '/doctor', title: "Doctor's console", key: 'd', roles: ['doctor'], Screen: DoctorConsole },
  // The wall screen: any signed-in person may put it up (the server still decides what each role may read).
  // The server reads figures for roles that search visits and patients: not admin (no visits), hence not listed.
  { path: '/figures', title: 'Figures', key: 'f', roles: ['appointment-desk', 'registration-clerk', 'auditor'], Screen: FiguresDesk },
  // The laboratory (issue 6). The technician collects, receives, enters and validates; the pathologist
  // authorises and amends; doctors read their patients' reports and answer critical values.
  { path: '/lab/phlebotomy', title: 'Phlebotomy', key: 'p', roles: ['lab-technician'], Screen: PhlebotomyDesk },
  { path: '/lab/receipt', title: 'Sample receipt', key: 's', roles: ['lab-technician'], Screen: ReceiptDesk },
  { path: '/lab/bench', title: 'Bench', key: 'b', roles: ['lab-technician'], Screen: BenchDesk },
  { path: '/lab/validation', title: 'Validation', key: 'v', roles: ['lab-technician'], Screen: ValidationDesk },
  { path: '/lab/authorisation', title: 'Authorisation', key: 'u', roles: ['pathologist'], Screen: AuthorisationDesk },
  { path: '/lab/device-review', title: 'Device review', key: 'i', roles: ['lab-technician', 'pathologist'], Screen: DeviceReviewDesk },
  { path: '/lab/reports', title: 'Lab reports', key: 'l', roles: ['lab-technician', 'pathologist', 'doctor'], Screen: ReportsDesk },
  { path: '/lab/critical', title: 'Critical values', key: 'c', roles: ['doctor', 'lab-technician', 'pathologist'], Screen: CriticalAlertsDesk },
  { path: '/lab/tat', title: 'Lab turnaround', key: 't', roles: ['lab-technician', 'pathologist'], Screen: TurnaroundDesk },
  { path: '/queue', title: 'Queue board', key: 'q', roles: ACCOUNT_ROLES.filter((role) => role !== 'device'), Screen: QueueBoard },
];

export const desksFor = (role: string): Desk[] => DESKS.filter((desk) => desk.roles.includes(role));

export function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const changed = () => setPath(location.pathname);
    window.addEventListener('popstate', changed);
    return () => window.removeEventListener('popstate', changed);
  }, []);
  const navigate = useCallback((next: string) => {
    if (next !== location.pathname) history.pushState(null, '', next);
    setPath(next);
  }, []);
  return [path, navigate];
}
