/**
 * The doctor's console: the department's queue (live), "Call next" to a room, "Start" the
 * consultation, the consultation form (vitals, complaints, diagnoses with ICD-10, medicines, lab
 * orders from the catalogue, advice, follow-up), "Close visit" and the visit slip. Every write goes
 * through the outbox: call-next, start, the consultation, close.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { departmentKeyOf, minutesText, OPD, refusalText, STATE_TEXT, type QueueItem } from '../opd/opd.js';
import { useLiveQueue } from '../opd/use-queue.js';
import { useRead, useRoomNames } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { useSession } from '../../shell/session-context.js';
import { ConsultationPanel } from './consultation-panel.js';
import { visitSlipPath } from './consultation-form.js';

interface Notice { kind: 'ok' | 'error' | 'queued'; text: string }

export function DoctorConsole() {
  const session = useSession();
  const write = useWrite();
  const department = departmentKeyOf(session?.account.department);
  const live = useLiveQueue(department || undefined);
  const [room, setRoom] = useState(`opd-room-${department}`);
  const [visit, setVisit] = useState<string>();
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<Set<string>>(new Set());
  const roomNames = useRoomNames();
  const roomName = (id: string | undefined) => (id ? roomNames.get(id) ?? id : '');
  const rooms = [...roomNames.keys()].filter((id) => id.startsWith('opd-room-')).sort();
  const org = useRead<{ name?: string }>(department ? `/fhir/R4/Organization/dept-${encodeURIComponent(department)}` : null);

  const current = live.queue.find((q) => q.visit === visit);
  const waiting = live.queue.filter((q) => q.state === 'waiting').length;
  const ordered = useMemo(() => live.queue.filter((q) => q.state !== 'cancelled'), [live.queue]);

  async function run<T>(label: string, path: string, body: unknown, done: (answer: T) => string | void) {
    if (busy) return;
    setBusy(true);
    setNotice(undefined);
    const result = await write<T>({ method: 'POST', path, body }, label, () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) setNotice({ kind: 'ok', text: done(result.body) ?? `${label}: done` });
    else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
    live.refresh();
  }

  const callNext = (event?: FormEvent) => {
    event?.preventDefault();
    void run<{ called: QueueItem | null; message?: string }>('Call next', `${OPD}/queue/call-next`, { department, room: room.trim() || undefined }, (answer) => {
      if (!answer.called) return answer.message ?? 'Nobody is waiting';
      setVisit(answer.called.visit);
      return `Token ${answer.called.token}: ${answer.called.patient.display ?? ''} called to ${roomName(answer.called.room ?? room)}`;
    });
  };
  const start = (item: QueueItem) => void run('Start', `${OPD}/visits/${encodeURIComponent(item.visit)}/start`, undefined, () => `Consultation started: token ${item.token}`);
  const close = (item: QueueItem) => void run('Close visit', `${OPD}/visits/${encodeURIComponent(item.visit)}/close`, undefined, () => `Visit closed: token ${item.token}`);

  // Alt+N calls the next patient from anywhere on the console.
  const callNextRef = useRef(callNext);
  callNextRef.current = callNext;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        callNextRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!department) {
    return <main className="desk"><p className="refused" role="alert">Your account has no department set: an administrator sets it, and then the console shows that department's queue.</p></main>;
  }

  return (
    <main className="desk doctor">
      <section className="panel consult" aria-labelledby="doctor-title">
        <h1 id="doctor-title">Doctor's console · {org.data?.name ?? department}</h1>
        <form className="row call-row" onSubmit={callNext}>
          <label className="field">
            <span className="label">Room</span>
            <select name="room" value={room} onChange={(e) => setRoom(e.target.value)}>
              {!rooms.includes(room) && <option value={room}>{roomName(room)}</option>}
              {rooms.map((r) => <option key={r} value={r}>{roomName(r)}</option>)}
            </select>
          </label>
          <button type="submit" className="align-end" disabled={busy} aria-keyshortcuts="Alt+n" data-testid="call-next">Call next <span className="muted-inverse">({waiting} waiting)</span></button>
        </form>
        {notice && (
          <p className={notice.kind === 'error' ? 'refused' : notice.kind === 'queued' ? 'queued' : 'done'} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">{notice.text}</p>
        )}
        {!current && <p className="muted">Call the next patient, or pick one from the queue.</p>}
        {current && (
          <div className="current" data-testid="current">
            <div className="current-head">
              <span className="token-mid">{current.token}</span>
              <div>
                <strong data-testid="current-patient">{current.patient.display ?? current.patient.reference}</strong>
                <div className="muted">{STATE_TEXT[current.state]}{current.room ? ` · ${roomName(current.room)}` : ''} · waited {minutesText(current.waitingMinutes)}</div>
              </div>
              <div className="actions push-right">
                {(current.state === 'waiting' || current.state === 'called') && <button type="button" disabled={busy} onClick={() => start(current)}>Start</button>}
                {current.state === 'in-consultation' && <button type="button" className="secondary" disabled={busy} onClick={() => close(current)}>Close visit</button>}
                <a className="button-link" href={visitSlipPath(current.visit)} target="_blank" rel="noopener" data-testid="slip">Print visit slip</a>
              </div>
            </div>
            {current.state === 'in-consultation' && (
              <ConsultationPanel key={current.visit} visit={current.visit} patient={current.patient.display ?? ''}
                recorded={recorded.has(current.visit)} onRecorded={() => setRecorded((s) => new Set(s).add(current.visit))} />
            )}
            {current.state === 'done' && <p className="done" role="status">This visit is closed. Print the visit slip for the patient, then call the next one.</p>}
          </div>
        )}
      </section>
      <aside className="panel" aria-labelledby="doctor-queue-title">
        <h2 id="doctor-queue-title">Today's queue <span className={`live ${live.mode}`}>{live.mode === 'live' ? '● live' : live.mode === 'polling' ? '· polling' : '· connecting'}</span></h2>
        {live.error && <p className="error" role="alert">{live.error}</p>}
        {ordered.length === 0 && <p className="muted">Nobody has checked in yet.</p>}
        <ol className="mini-queue" data-testid="doctor-queue">
          {ordered.map((q) => (
            <li key={q.visit} className={`state-${q.state}${q.visit === visit ? ' selected' : ''}`}>
              <button type="button" className="pick" onClick={() => setVisit(q.visit)}>
                <span className="token">{q.token}</span> {q.patient.display ?? ''} <span className="muted">{STATE_TEXT[q.state]} · {minutesText(q.waitingMinutes)}</span>
              </button>
            </li>
          ))}
        </ol>
      </aside>
    </main>
  );
}
