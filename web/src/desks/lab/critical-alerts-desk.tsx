/**
 * Critical values: a doctor sees the alerts sent to them and acknowledges each (the lab sees all, to chase the unanswered),
 * with an optional note ("repeat K+ sent, ECG done"). Open alerts are read again every 20 s, since
 * nothing else on the doctor's screen would tell them a potassium of 7 just arrived.
 */
import { useEffect, useMemo, useState } from 'react';
import type { CriticalAlert, LabCatalogue } from '../../../../src/departments/lab/lab-api.js';
import { useSession } from '../../shell/session-context.js';
import { dateTimeText, refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { labPath, patientLine } from './lab.js';
import { Notice, type NoticeState } from './lab-ui.js';

const REFRESH_MS = 20_000;
const FLAG_TEXT: Record<CriticalAlert['flag'], string> = { HH: 'critically high', LL: 'critically low', A: 'critical' };

export function CriticalAlertsDesk() {
  const write = useWrite();
  // Only the doctor the alert was sent to acknowledges it (the server refuses anyone else); the lab watches the list.
  const isDoctor = useSession()?.account.role === 'doctor';
  const [status, setStatus] = useState<'open' | 'all'>('open');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const read = useRead<CriticalAlert[]>(labPath.alerts(status), tick);
  // The alert names the analyte by its key (potassium, wbc-count); the catalogue has the words the report prints.
  const catalogue = useRead<LabCatalogue>(labPath.catalogue);
  const names = useMemo(() => new Map((catalogue.data?.tests ?? []).flatMap((t) => t.analytes.map((a) => [a.key, a.name] as const))), [catalogue.data]);
  const nameOf = (key: string) => names.get(key) ?? key;
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState<string>();

  async function acknowledge(alert: CriticalAlert) {
    if (busy) return;
    setBusy(alert.id);
    const label = `Acknowledge ${nameOf(alert.analyte)} ${alert.value}, ${alert.patient.name}`;
    const note = notes[alert.id]?.trim();
    const result = await write<CriticalAlert>({ method: 'POST', path: labPath.acknowledge(alert.id), body: note ? { note } : {} }, label,
      () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(undefined);
    setNotice(result.ok ? { kind: 'ok', text: `${label}: acknowledged.` } : { kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
    setTick((n) => n + 1);
  }

  const alerts = read.data ?? [];
  return (
    <main className="desk lab single" aria-labelledby="alerts-title">
      <section className="panel">
        <div className="board-controls">
          <h1 id="alerts-title">Critical lab values</h1>
          <label>Show{' '}
            <select name="status" value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'all')}>
              <option value="open">Not yet acknowledged</option>
              <option value="all">All</option>
            </select>
          </label>
        </div>
        <Notice notice={notice} />
        {read.error && <p className="refused" role="alert">{read.error}</p>}
        {read.data && alerts.length === 0 && <p className="muted">No {status === 'open' ? 'unacknowledged ' : ''}critical values.</p>}
        <ul className="alerts" data-testid="critical-alerts">
          {alerts.map((a) => (
            <li key={a.id} className={`alert ${a.status}`}>
              <div className="alert-value"><strong>{nameOf(a.analyte)}</strong> <span className="critical-value">{a.value} {a.unit}</span> <span className="muted">{FLAG_TEXT[a.flag]}</span></div>
              <div><strong>{a.patient.name}</strong> <span className="muted">{patientLine(a.patient)} · raised {dateTimeText(a.raisedAt)}{a.recipient ? ` · to ${a.recipient}` : ''}</span></div>
              <div className="actions">
                <a className="button-link" href={labPath.reportPdf(a.report)} target="_blank" rel="noopener">Report (PDF)</a>
                {a.status === 'open' && !isDoctor && <span className="error">Not yet acknowledged: phone the ward if the doctor has not answered.</span>}
                {a.status === 'open' && isDoctor ? (
                  <>
                    <input name={`note-${a.id}`} aria-label={`Note for ${nameOf(a.analyte)}, ${a.patient.name}`} placeholder="Note (optional): action taken" value={notes[a.id] ?? ''}
                      onChange={(e) => setNotes((n) => ({ ...n, [a.id]: e.target.value }))}
                      onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void acknowledge(a); } }} />
                    <button type="button" disabled={busy !== undefined} onClick={() => void acknowledge(a)} data-testid="acknowledge">Acknowledge</button>
                  </>
                ) : a.status === 'acknowledged' && <span className="done-inline">Acknowledged by {a.acknowledgedBy ?? '—'} {dateTimeText(a.acknowledgedAt)}</span>}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
