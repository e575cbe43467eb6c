/**
 * The OPD API's answers that the desks read (queue board, doctor's console, MIS figures): plain types
 * with no imports, so that the browser app takes them as they are (web/src/desks/opd/opd.ts,
 * web/src/desks/figures/figures.ts) and the two sides cannot drift apart.
 */

export type QueueState = 'waiting' | 'called' | 'in-consultation' | 'done' | 'cancelled';

/** One visit in a department's queue (GET /api/opd/queue). */
export interface QueueItem {
  token: number;
  visit: string;
  patient: { reference: string; display?: string };
  state: QueueState;
  status: string;
  practitioner?: string;
  appointment?: string;
  room?: string;
  arrivedAt: string;
  calledAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Arrival to consultation, or to now while still waiting; minutes to one decimal. */
  waitingMinutes: number;
}

export interface QueueAnswer { department: string; date: string; queue: QueueItem[] }

/** One department's day (GET /api/opd/figures). */
export interface DepartmentFigures {
  department: string;
  name: string;
  visits: number;
  waiting: number;
  done: number;
  medianWaitMinutes: number | null;
  p90WaitMinutes: number | null;
}

/** The OPD's day in figures (GET /api/opd/figures). */
export interface Figures {
  date: string;
  registrations: number;
  visits: number;
  departments: DepartmentFigures[];
  medianWaitMinutes: number | null;
  p90WaitMinutes: number | null;
}
