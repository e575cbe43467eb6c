/**
 * OPD schedules for the demo hospital: each seeded consultant's OPD days (src/hospital/seed/staff.ts),
 * 09:00-13:00 India time in 10-minute slots, with slots for the next two weeks, so a person trying
 * Nirantar finds free slots at the appointment desk and a queue at the doctor's console. Written
 * through the OPD department's own functions, so through the ledger like any schedule.
 */
import type { RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { STAFF } from '../../hospital/seed/staff.js';
import { indiaDate, type Weekday } from './india-time.js';
import { generateSlots, saveSchedule } from './schedules.js';

const DEMO_DAYS = 14;

export async function seedDemoSchedules(repo: FhirRepository, hospitalId: string): Promise<{ schedules: number; slots: number }> {
  const ctx: RequestContext = { hospitalId, actor: 'seed', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
  const today = indiaDate();
  const last = addDays(today, DEMO_DAYS - 1);
  let schedules = 0;
  let slots = 0;
  for (const member of STAFF) {
    if (!member.opdDays?.length || !member.department) continue;
    const saved = await saveSchedule(repo, ctx, {
      practitioner: member.id, department: member.department, weekdays: member.opdDays as Weekday[], start: 9 * 60, end: 13 * 60, slotMinutes: 10,
    });
    schedules++;
    slots += (await generateSlots(repo, ctx, saved.id, today, last)).slots;
  }
  return { schedules, slots };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
