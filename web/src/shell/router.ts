/**
 * One route per desk, by path (/registration); the server answers every such path with the app.
 * A desk is listed only for the roles that work at it, and only once it exists.
 */
import { useCallback, useEffect, useState, type ComponentType } from 'react';
import { ACCOUNT_ROLES } from '../../../src/security/accounts/account-roles.js';
import { AppointmentsDesk } from '../desks/appointments/appointments-desk.js';
import { DoctorConsole } from '../desks/doctor/doctor-console.js';
import { FiguresDesk } from '../desks/figures/figures-desk.js';
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
