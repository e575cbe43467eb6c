/** The figures' shapes as GET /api/opd/figures answers them (src/departments/opd/figures.ts), and how they are written. */
export const FIGURES_PATH = '/api/opd/figures';

export interface DepartmentFigures {
  department: string;
  name: string;
  visits: number;
  waiting: number;
  done: number;
  medianWaitMinutes: number | null;
  p90WaitMinutes: number | null;
}

export interface Figures {
  date: string;
  registrations: number;
  visits: number;
  departments: DepartmentFigures[];
  medianWaitMinutes: number | null;
  p90WaitMinutes: number | null;
}

/** "12 min", or a dash when no consultation has started. */
export const minutes = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${Math.round(value)} min`);
