/** The hospital this app serves (its id from /app-config.json), for what is kept per hospital on this computer. */
import { createContext, useContext } from 'react';

export const HospitalContext = createContext<string>('hospital');

export const useHospitalId = (): string => useContext(HospitalContext);
