/**
 * The appointment desk: find the patient, pick department, doctor and date, book a free slot; the
 * patient's upcoming appointments with cancel, reschedule, no-show and check-in (the token, large).
 * Every write goes through the outbox (useWrite): booking, reschedule, cancel, no-show, check-in.
 */
import { useEffect, useState } from 'react';
import { PatientFinder } from '../opd/patient-finder.js';
import {
  dateTimeText, deskToday, entries, indiaDateOf, OPD, refusalText, timeText, type FreeSlot, type PatientSummary,
} from '../opd/opd.js';
import { useDepartments, useDoctors, useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';

interface Appointment { id: string; status: string; start?: string; end?: string; participant?: Array<{ actor?: { reference?: string; display?: string } }>; serviceType?: Array<{ text?: string }> }
interface Notice { kind: 'ok' | 'error' | 'queued'; text: string }
interface Token { token: number; department: string; patient: string }

const STATUS_TEXT: Record<string, string> = { booked: 'Booked', arrived: 'Checked in', fulfilled: 'Seen', cancelled: 'Cancelled', noshow: 'No-show', pending: 'Pending' };

const actorOf = (a: Appointment, type: string) => a.participant?.map((p) => p.actor).find((r) => r?.reference?.startsWith(`${type}/`));

export function AppointmentsDesk() {
  const write = useWrite();
  const [patient, setPatient] = useState<PatientSummary>();
  const departments = useDepartments();
  const [department, setDepartment] = useState('');
  const doctors = useDoctors(department || undefined);
  const [doctor, setDoctor] = useState('');
  const [date, setDate] = useState(deskToday());
  const [again, setAgain] = useState(0);
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState(false);
  const [rescheduling, setRescheduling] = useState<Appointment>();
  const [token, setToken] = useState<Token>();
  const [cancelling, setCancelling] = useState<{ id: string; reason: string }>();

  const slotsPath = department || doctor
    ? `${OPD}/slots?${new URLSearchParams({ ...(department ? { department } : {}), ...(doctor ? { practitioner: doctor } : {}), date }).toString()}`
    : null;
  const slots = useRead<{ date: string; slots: FreeSlot[] }>(slotsPath, again);
  const appointments = useRead<unknown>(patient ? `/fhir/R4/Appointment?patient=Patient/${encodeURIComponent(patient.id)}&_sort=date&_count=100` : null, again);
  const today = deskToday();
  const upcoming = entries<Appointment>(appointments.data)
    .filter((a) => (a.start ? indiaDateOf(a.start) >= today : a.status === 'arrived'))
    .sort((a, b) => String(a.start).localeCompare(String(b.start)));

  useEffect(() => setDoctor(''), [department]);

  async function run(label: string, request: { method: 'POST'; path: string; body?: unknown }, done: (body: unknown) => string | void) {
    if (busy) return;
    setBusy(true);
    setNotice(undefined);
    const result = await write(request, label, () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      const text = done(result.body);
      setNotice({ kind: 'ok', text: text ?? `${label}: done` });
    } else {
      setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
    }
    setAgain((n) => n + 1);
  }

  const pickSlot = (slot: FreeSlot) => {
    if (!patient) return setNotice({ kind: 'error', text: 'Find the patient first' });
    if (rescheduling) {
      const moving = rescheduling;
      return void run('Reschedule', { method: 'POST', path: `${OPD}/appointments/${encodeURIComponent(moving.id)}/reschedule`, body: { slot: slot.id } }, () => {
        setRescheduling(undefined);
        return `Rescheduled to ${dateTimeText(slot.start)} with ${slot.practitionerName ?? slot.practitioner}`;
      });
    }
    void run(`Book ${patient.name}`, { method: 'POST', path: `${OPD}/appointments`, body: { patient: `Patient/${patient.id}`, slot: slot.id } },
      () => `Booked: ${patient.name}, ${dateTimeText(slot.start)} with ${slot.practitionerName ?? slot.practitioner}`);
  };

  const checkIn = (a: Appointment) => void run(`Check in ${patient?.name ?? ''}`.trim(), { method: 'POST', path: `${OPD}/check-in`, body: { appointment: a.id } }, (body) => {
    const answer = body as { token?: number; department?: string };
    setToken({ token: Number(answer.token), department: answer.department ?? '', patient: patient?.name ?? '' });
    return `Checked in: token ${String(answer.token)}`;
  });
  const walkIn = () => {
    if (!patient || !department) return;
    void run(`Walk-in ${patient.name}`, { method: 'POST', path: `${OPD}/check-in`, body: { patient: `Patient/${patient.id}`, department, ...(doctor ? { practitioner: doctor } : {}) } }, (body) => {
      const answer = body as { token?: number; department?: string };
      setToken({ token: Number(answer.token), department: answer.department ?? department, patient: patient.name });
      return `Walk-in checked in: token ${String(answer.token)}`;
    });
  };
  const cancel = (a: Appointment, reason: string) => void run('Cancel', { method: 'POST', path: `${OPD}/appointments/${encodeURIComponent(a.id)}/cancel`, body: { reason: reason.trim() || 'patient asked' } }, () => {
    setCancelling(undefined);
    return 'Cancelled; the slot is free again';
  });
  const noShow = (a: Appointment) => void run('No-show', { method: 'POST', path: `${OPD}/appointments/${encodeURIComponent(a.id)}/no-show` }, () => 'Marked as no-show');

  const departmentName = (key: string) => departments.data?.find((d) => d.key === key)?.name ?? key;

  return (
    <main className="desk appointments">
      <section className="panel" aria-labelledby="appointments-title">
        <h1 id="appointments-title">Appointments</h1>
        <PatientFinder autoFocus onPick={(p) => { setPatient(p); setRescheduling(undefined); setCancelling(undefined); setToken(undefined); setNotice(undefined); }} />
        {patient && (
          <p className="chosen" data-testid="patient">
            <strong>{patient.name}</strong> <span className="uhid">{patient.uhid}</span> <span className="muted">{patient.detail}</span>
          </p>
        )}
        {notice && (
          <p className={notice.kind === 'error' ? 'refused' : notice.kind === 'queued' ? 'queued' : 'done'} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
            {notice.text}
          </p>
        )}
        <fieldset>
          <legend>{rescheduling ? `Reschedule the appointment of ${dateTimeText(rescheduling.start)}: pick the new slot` : 'Book a slot'}</legend>
          <div className="row">
            <label className="field">
              <span className="label">Department</span>
              <select name="department" value={department} onChange={(e) => setDepartment(e.target.value)}>
                <option value="">—</option>
                {departments.data?.map((d) => <option key={d.key} value={d.key}>{d.name}</option>)}
              </select>
            </label>
            <label className="field">
              <span className="label">Doctor</span>
              <select name="doctor" value={doctor} onChange={(e) => setDoctor(e.target.value)} disabled={!department}>
                <option value="">Any doctor</option>
                {doctors.data?.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
              </select>
            </label>
            <label className="field short-date">
              <span className="label">Date</span>
              <input type="date" name="date" min={today} value={date} onChange={(e) => setDate(e.target.value || today)} />
            </label>
          </div>
          {departments.error && <p className="error" role="alert">Departments: {departments.error}</p>}
          {department && doctors.data?.length === 0 && <p className="muted">No doctor holds OPD in {departmentName(department)}: the department is closed for appointments.</p>}
          {slots.error && <p className="error" role="alert">{slots.error}</p>}
          {slotsPath && slots.data && (
            slots.data.slots.length === 0
              ? <p className="muted" data-testid="no-slots">No free slot on {date}{department ? ` in ${departmentName(department)}` : ''}: the OPD is closed that day, fully booked, or the day is over.</p>
              : (
                <ul className="slots" aria-label={`Free slots on ${date}`} data-testid="slots">
                  {slots.data.slots.map((s) => (
                    <li key={s.id}>
                      <button type="button" className="slot" data-slot={s.id} disabled={busy || !patient} onClick={() => pickSlot(s)}
                        title={`${s.practitionerName ?? s.practitioner}, ${timeText(s.start)}–${timeText(s.end)}`}>
                        {timeText(s.start)} <span className="muted">{s.practitionerName ?? s.practitioner}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )
          )}
          <div className="actions">
            {rescheduling
              ? <button type="button" className="link" onClick={() => setRescheduling(undefined)}>Keep the old slot</button>
              : <button type="button" className="secondary" disabled={busy || !patient || !department || date !== today} onClick={walkIn}
                  title="No appointment: check the patient in to the department now and issue a token">Walk-in: check in now</button>}
          </div>
        </fieldset>
      </section>

      <aside className="panel" aria-labelledby="upcoming-title">
        {token && (
          <div className="token-card" role="status" data-testid="token-card">
            <span className="muted">Token · {departmentName(token.department)}</span>
            <span className="token-big" data-testid="token">{token.token}</span>
            <span>{token.patient}</span>
          </div>
        )}
        <h2 id="upcoming-title">Upcoming appointments</h2>
        {!patient && <p className="muted">Find a patient to see their appointments.</p>}
        {appointments.error && <p className="error" role="alert">{appointments.error}</p>}
        {patient && appointments.data !== undefined && upcoming.length === 0 && <p className="muted">None from today on.</p>}
        <ul className="appointments-list" data-testid="appointments">
          {upcoming.map((a) => {
            const doctorRef = actorOf(a, 'Practitioner');
            const dept = actorOf(a, 'HealthcareService')?.reference?.split('/')[1] ?? a.serviceType?.[0]?.text ?? '';
            const isToday = a.start !== undefined && indiaDateOf(a.start) === today;
            return (
              <li key={a.id} className={`appointment status-${a.status}`} data-appointment={a.id}>
                <div><strong>{dateTimeText(a.start)}</strong> · {departmentName(dept)}</div>
                <div className="muted">{doctorRef?.display ?? doctorRef?.reference ?? ''} · {STATUS_TEXT[a.status] ?? a.status}</div>
                {a.status === 'booked' && (
                  <div className="actions">
                    {isToday && <button type="button" disabled={busy} onClick={() => checkIn(a)}>Check in</button>}
                    <button type="button" className="secondary" disabled={busy} onClick={() => { setRescheduling(a); setDepartment(dept); setDate(today); }}>Reschedule</button>
                    <button type="button" className="secondary" disabled={busy} onClick={() => setCancelling({ id: a.id, reason: '' })}>Cancel</button>
                    {a.start && indiaDateOf(a.start) <= today && <button type="button" className="secondary" disabled={busy} onClick={() => noShow(a)}>No-show</button>}
                  </div>
                )}
                {a.status === 'booked' && cancelling?.id === a.id && (
                  <form className="row cancel-row" onSubmit={(e) => { e.preventDefault(); cancel(a, cancelling.reason); }}>
                    <label className="field"><span className="label">Reason for cancelling</span>
                      <input name="cancelReason" autoFocus value={cancelling.reason} placeholder="patient asked"
                        onChange={(e) => setCancelling({ id: a.id, reason: e.target.value })}
                        onKeyDown={(e) => { if (e.key === 'Escape') setCancelling(undefined); }} /></label>
                    <button type="submit" className="align-end" disabled={busy}>Cancel the appointment</button>
                    <button type="button" className="link align-end" onClick={() => setCancelling(undefined)}>Keep it</button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      </aside>
    </main>
  );
}
