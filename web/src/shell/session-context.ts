/** The signed-in session, for desks that depend on who is at them (the doctor's department). */
import { createContext, useContext } from 'react';
import type { SessionView } from '../api/session.js';

export const SessionContext = createContext<SessionView | null>(null);

export const useSession = (): SessionView | null => useContext(SessionContext);
