/**
 * One route per desk, by path (/registration); the server answers every such path with the app.
 * A desk is listed only for the roles that work at it, and only once it exists.
 */
import { useCallback, useEffect, useState, type ComponentType } from 'react';
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
