/** Reads for the OPD desks: the departments, a department's doctors, any GET kept in state. */
import { useEffect, useState } from 'react';
import { call } from '../../api/http.js';
import { outcomeText } from '../../api/operation-outcome.js';
import { departmentsOf, doctorsOf, entries, OPD, type Department, type Doctor } from './opd.js';

export interface Read<T> { data?: T; error?: string; loading: boolean }

/** GET `path` (null: nothing to read), again whenever `path` or `again` changes. */
export function useRead<T>(path: string | null, again = 0): Read<T> {
  const [state, setState] = useState<Read<T>>({ loading: path !== null });
  useEffect(() => {
    if (!path) {
      setState({ loading: false });
      return;
    }
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    call<T>('GET', path, undefined, abort.signal).then((answer) => {
      if (abort.signal.aborted) return;
      if (answer.status === 200) setState({ data: answer.body, loading: false });
      else setState({ error: outcomeText(answer.body, answer.status), loading: false });
    }, (err: unknown) => {
      if (!abort.signal.aborted) setState({ error: `the server could not be reached (${err instanceof Error ? err.message : String(err)})`, loading: false });
    });
    return () => abort.abort();
  }, [path, again]);
  return state;
}

export function useDepartments(): Read<Department[]> {
  const read = useRead<unknown>('/fhir/R4/Organization?type=dept&_count=100');
  return { ...read, data: read.data ? departmentsOf(read.data) : undefined };
}

export function useDoctors(department: string | undefined): Read<Doctor[]> {
  const read = useRead<{ schedules?: unknown[] }>(department ? `${OPD}/schedules?department=${encodeURIComponent(department)}` : null);
  return { ...read, data: read.data ? doctorsOf(read.data.schedules ?? []) : undefined };
}

/** Names of rooms (Location.name by id), for boards that show where a patient is called to. */
export function useRoomNames(): Map<string, string> {
  const read = useRead<unknown>('/fhir/R4/Location?_count=500');
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    if (read.data) setNames(new Map(entries<{ id?: string; name?: string }>(read.data).filter((l) => l.id && l.name).map((l) => [l.id!, l.name!])));
  }, [read.data]);
  return names;
}
