/** The OPD figures (GET /api/opd/figures; shapes in src/departments/opd/opd-api.ts), and how they are written. */
export const FIGURES_PATH = '/api/opd/figures';

export type { DepartmentFigures, Figures } from '../../../../src/departments/opd/opd-api.js';

/** "12 min", or a dash when no consultation has started. */
export const minutes = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${Math.round(value)} min`);
