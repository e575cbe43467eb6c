/**
 * Validation (the lab technician's technical check of entered results) and authorisation (the
 * pathologist's release): the reports waiting at that stage, open one, read its results and flags,
 * Validate or Authorise. The action button takes the focus when a report opens, so Enter acts, and
 * the next report on the list opens by itself: a pathologist signs out a run without the mouse.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReportView, WorklistItem } from '../../../../src/departments/lab/lab-api.js';
import { refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { highestPriority, isCritical, labPath, PRIORITY_TEXT } from './lab.js';
import { arrowKeys, Notice, ReportDetail, type NoticeState } from './lab-ui.js';

const REFRESH_MS = 30_000;

const STAGES = {
  validation: { title: 'Validation', verb: 'Validate', done: 'validated: it waits for the pathologist', path: labPath.validate },
  authorisation: { title: 'Authorisation', verb: 'Authorise', done: 'authorised and released', path: labPath.authorise },
} as const;

export const ValidationDesk = () => <ReviewDesk stage="validation" />;
export const AuthorisationDesk = () => <ReviewDesk stage="authorisation" />;

function ReviewDesk({ stage }: { stage: keyof typeof STAGES }) {
  const words = STAGES[stage];
  const write = useWrite();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const list = useRead<WorklistItem[]>(labPath.worklist(stage), tick);
  // One line per report; stat and urgent first, then in the order the server sent them (oldest first).
  const items = useMemo(() => {
    const rank = { stat: 0, urgent: 1, routine: 2 };
    return (list.data ?? []).filter((i) => i.report).map((item, i) => ({ item, i }))
      .sort((a, b) => rank[a.item.order.priority] - rank[b.item.order.priority] || a.i - b.i).map((x) => x.item);
  }, [list.data]);
  const [reportId, setReportId] = useState<string>();
  const [reload, setReload] = useState(0);
  const report = useRead<ReportView>(reportId ? labPath.report(reportId) : null, reload);
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState(false);
  const [finished, setFinished] = useState<Set<string>>(new Set());
  const actRef = useRef<HTMLButtonElement>(null);
  const shown = report.data?.id === reportId ? report.data : undefined;
  const waiting = shown && !finished.has(shown.id);

  useEffect(() => {
    if (waiting) actRef.current?.focus();
  }, [waiting, shown?.id]);

  async function act() {
    if (!shown || busy) return;
    setBusy(true);
    setNotice(undefined);
    const label = `${words.verb} ${shown.order.testName}, ${shown.patient.name}`;
    const result = await write<ReportView>({ method: 'POST', path: words.path(shown.id), body: {} }, label,
      () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      setNotice({ kind: 'ok', text: `${shown.order.testName} for ${shown.patient.name} ${words.done}.` });
      setFinished((s) => new Set(s).add(shown.id));
      const next = items.find((i) => i.report && i.report !== shown.id && !finished.has(i.report));
      if (next?.report) setReportId(next.report);
      else setReload((n) => n + 1);
    } else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
    setTick((n) => n + 1);
  }

  const open = items.filter((i) => !finished.has(i.report!));
  return (
    <main className="desk lab" aria-labelledby={`${stage}-title`}>
      <section className="panel">
        <h1 id={`${stage}-title`}>{words.title}</h1>
        <Notice notice={notice} />
        {!reportId && <p className="muted">Open a report from the list (↑/↓, Enter).</p>}
        {report.error && <p className="refused" role="alert">{report.error}</p>}
        {shown && (
          <>
            <ReportDetail report={shown} />
            <div className="actions">
              {waiting && <button ref={actRef} type="button" disabled={busy} onClick={() => void act()} data-testid="review-act">{busy ? 'Saving…' : words.verb}</button>}
              <a className="button-link" href={shown.pdf || labPath.reportPdf(shown.id)} target="_blank" rel="noopener" data-testid="report-pdf">Open the report (PDF)</a>
            </div>
          </>
        )}
      </section>
      <aside className="panel" aria-labelledby={`${stage}-list-title`}>
        <h2 id={`${stage}-list-title`}>Waiting for {stage} <span className="muted">({open.length})</span></h2>
        {list.error && <p className="error" role="alert">{list.error}</p>}
        {list.data && open.length === 0 && <p className="muted">Nothing waits for {stage}.</p>}
        <ol className="mini-queue" data-testid="review-list" onKeyDown={arrowKeys}>
          {open.map((item) => {
            const priority = highestPriority([item.order]);
            const critical = item.results.some(isCritical);
            return (
              <li key={item.report} className={item.report === reportId ? 'selected' : undefined}>
                <button type="button" className="pick" onClick={() => { setReportId(item.report); setNotice(undefined); }}>
                  <strong>{item.patient.name}</strong> <span className="accession-small">{item.specimen.accession}</span>{' '}
                  {priority !== 'routine' && <span className={`priority ${priority}`}>{PRIORITY_TEXT[priority]}</span>}
                  {critical && <span className="priority stat">critical</span>}
                  <span className="muted block">{item.order.testName}</span>
                </button>
              </li>
            );
          })}
        </ol>
      </aside>
    </main>
  );
}
