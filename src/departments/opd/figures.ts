/**
 * Figures for the desk in charge, for one day (India time):
 *   registrations  Patients created that day: versions numbered 1 in the Patient history (a
 *                  creation is exactly the first version; _lastUpdated would count edits too)
 *   visits         OPD visits per department (the day's tokens), and how many are done
 *   waiting        minutes from arrival to the start of the consultation: median and 90th percentile
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { history } from '../../fhir/repository/history.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { dayBounds } from './india-time.js';
import { searchAll } from './opd-store.js';
import { itemOf, visitsOf } from './queue.js';

import type { DepartmentFigures, Figures } from './opd-api.js';

export type { DepartmentFigures, Figures } from './opd-api.js';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function registrationsOn(repo: FhirRepository, ctx: RequestContext, date: string): Promise<number> {
  const { start, end } = dayBounds(date);
  const since = new Date(start).toISOString();
  const endMs = Date.parse(end);
  let count = 0;
  for (let offset = 0; ; offset += 1000) {
    const page = await history(repo.db, ctx, { resourceType: 'Patient', params: new URLSearchParams({ _since: since, _count: '1000', _offset: String(offset) }) }) as {
      entry?: Array<{ response: { etag: string; lastModified: string } }>;
    };
    const entries = page.entry ?? [];
    for (const e of entries) if (e.response.etag === 'W/"1"' && Date.parse(e.response.lastModified) < endMs) count++;
    if (entries.length < 1000) return count;
  }
}

export async function figuresOf(repo: FhirRepository, ctx: RequestContext, date: string): Promise<Figures> {
  const orgs = await searchAll(repo, ctx, 'Organization', [['type', 'http://terminology.hl7.org/CodeSystem/organization-type|dept']]);
  const now = Date.now();
  const all: number[] = [];
  const departments: DepartmentFigures[] = [];
  for (const org of orgs.sort((a, b) => String(a.id).localeCompare(String(b.id)))) {
    const key = String(org.id).replace(/^dept-/, '');
    const items = (await visitsOf(repo.db, ctx.hospitalId, key, date)).map((e: FhirResource) => itemOf(e, now));
    if (items.length === 0) continue;
    const waits = items.filter((i) => i.startedAt).map((i) => i.waitingMinutes).sort((a, b) => a - b);
    all.push(...waits);
    departments.push({
      department: key, name: String(org.name ?? key), visits: items.length,
      waiting: items.filter((i) => i.state === 'waiting' || i.state === 'called').length, done: items.filter((i) => i.state === 'done').length,
      medianWaitMinutes: percentile(waits, 50), p90WaitMinutes: percentile(waits, 90),
    });
  }
  all.sort((a, b) => a - b);
  return {
    date, registrations: await registrationsOn(repo, ctx, date), visits: departments.reduce((n, d) => n + d.visits, 0), departments,
    medianWaitMinutes: percentile(all, 50), p90WaitMinutes: percentile(all, 90),
  };
}
