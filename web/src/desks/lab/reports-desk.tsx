/**
 * Lab reports: the day's reports (by status), open one to read or print it (the PDF the server
 * renders). A pathologist may amend a released report: the changed values and a reason, which the
 * server keeps as history and prints on the report. Doctors read here too (the server shows them
 * their patients' reports only).
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { ReportView } from '../../../../src/departments/lab/lab-api.js';
import { useSession } from '../../shell/session-context.js';
import { dateTimeText, refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { deskToday } from '../registration/registration-form.js';
import { isCritical, labPath, REPORT_STATUS_TEXT } from './lab.js';
import { arrowKeys, Notice, ReportDetail, type NoticeState } from './lab-ui.js';

export function ReportsDesk() {
  const session = useSession();
  const [date, setDate] = useState(() => deskToday());
  const [status, setStatus] = useState('');
  const [tick, setTick] = useState(0);
  const list = useRead<ReportView[]>(labPath.reports({ date, status }), tick);
  const [reportId, setReportId] = useState<string>();
  const report = useRead<ReportView>(reportId ? labPath.report(reportId) : null, tick);
  const shown = report.data?.id === reportId ? report.data : undefined;
  const released = shown && (shown.status === 'final' || shown.status === 'amended');
  const mayAmend = session?.account.role === 'pathologist';
  // Here rather than in the amendment form: the form closes when the amended report is read again, the message stays.
  const [notice, setNotice] = useState<NoticeState>();

  return (
    <main className="desk lab" aria-labelledby="reports-title">
      <section className="panel">
        <h1 id="reports-title">Lab reports</h1>
        {!reportId && <p className="muted">Open a report from the list.</p>}
        {report.error && <p className="refused" role="alert">{report.error}</p>}
        {shown && (
          <>
            <ReportDetail report={shown} />
            <div className="actions">
              <a className="button-link" href={shown.pdf || labPath.reportPdf(shown.id)} target="_blank" rel="noopener" data-testid="report-pdf">Print the report (PDF)</a>
              {!released && <span className="muted">Not yet authorised: the PDF says so on every page.</span>}
            </div>
            <Notice notice={notice} />
            {released && mayAmend && <Amend key={`${shown.id}-${shown.amendments?.length ?? 0}`} report={shown} onNotice={setNotice} onAmended={() => setTick((n) => n + 1)} />}
          </>
        )}
      </section>
      <aside className="panel" aria-labelledby="reports-list-title">
        <h2 id="reports-list-title">Reports</h2>
        <div className="row">
          <label className="field"><span className="label">Date</span>
            <input type="date" name="date" value={date} max={deskToday()} onChange={(e) => setDate(e.target.value)} /></label>
          <label className="field"><span className="label">Status</span>
            <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any</option>
              {Object.entries(REPORT_STATUS_TEXT).map(([key, text]) => <option key={key} value={key}>{text}</option>)}
            </select></label>
        </div>
        {list.error && <p className="error" role="alert">{list.error}</p>}
        {list.data && list.data.length === 0 && <p className="muted">No reports.</p>}
        <ol className="mini-queue" data-testid="reports-list" onKeyDown={arrowKeys}>
          {(list.data ?? []).map((r) => (
            <li key={r.id} className={r.id === reportId ? 'selected' : undefined}>
              <button type="button" className="pick" onClick={() => { setReportId(r.id); setNotice(undefined); }}>
                <strong>{r.patient.name}</strong> <span className="uhid">{r.patient.uhid}</span>{' '}
                {r.results.some(isCritical) && <span className="priority stat">critical</span>}
                <span className="muted block">{r.order.testName} · {REPORT_STATUS_TEXT[r.status] ?? r.status}{r.authorisedAt ? ` ${dateTimeText(r.authorisedAt)}` : ''}</span>
              </button>
            </li>
          ))}
        </ol>
      </aside>
    </main>
  );
}

/** The pathologist's amendment of a released report: only the values changed are sent, with the reason. */
function Amend({ report, onNotice: setNotice, onAmended }: { report: ReportView; onNotice: (notice: NoticeState | undefined) => void; onAmended: () => void }) {
  const write = useWrite();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const changed = useMemo(() => report.results
    .filter((r) => values[r.analyte] !== undefined && values[r.analyte].trim() !== '' && values[r.analyte].trim() !== (r.value ?? ''))
    .map((r) => ({ analyte: r.analyte, value: values[r.analyte].trim() })), [report.results, values]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (changed.length === 0) return setNotice({ kind: 'error', text: 'Change at least one value.' });
    if (reason.trim().length < 5) return setNotice({ kind: 'error', text: 'Write why the report is amended: the doctor reads it on the report.' });
    setBusy(true);
    const label = `Amend ${report.order.testName}, ${report.patient.name}`;
    const result = await write<ReportView>({ method: 'POST', path: labPath.amend(report.id), body: { results: changed, reason: reason.trim() } }, label,
      () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      setNotice({ kind: 'ok', text: 'Amended: the report is released again with the amendment.' });
      onAmended();
    } else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
  }

  if (!open) return <div className="actions"><button type="button" className="secondary" onClick={() => setOpen(true)} data-testid="amend-open">Amend this report…</button></div>;
  return (
    <form className="amend" onSubmit={submit} aria-label="Amend the report">
      <fieldset>
        <legend>Amend the released report</legend>
        <div className="row">
          {report.results.map((r, i) => (
            <label className="field short" key={r.analyte}>
              <span className="label">{r.name} {r.unit && <span className="muted">{r.unit}</span>}</span>
              <input name={`amend-${r.analyte}`} autoFocus={i === 0} autoComplete="off" placeholder={r.value ?? ''} value={values[r.analyte] ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [r.analyte]: e.target.value }))} />
            </label>
          ))}
        </div>
        <label className="field"><span className="label">Reason for the amendment</span>
          <input name="amend-reason" value={reason} onChange={(e) => setReason(e.target.value)} /></label>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={busy} data-testid="amend-save">Amend and release</button>
        <button type="button" className="link" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
