/** Small pieces the lab desks share: the notice line, arrow keys along a list, a report's results table. */
import type { KeyboardEvent } from 'react';
import type { ReportView, ResultValue } from '../../../../src/departments/lab/lab-api.js';
import { dateTimeText } from '../opd/opd.js';
import { flagText, isCritical, patientLine, REPORT_STATUS_TEXT, SECTIONS } from './lab.js';

export interface NoticeState { kind: 'ok' | 'error' | 'queued'; text: string }

export function Notice({ notice }: { notice: NoticeState | undefined }) {
  if (!notice) return null;
  return (
    <p className={notice.kind === 'error' ? 'refused' : notice.kind === 'queued' ? 'queued' : 'done'}
      role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">{notice.text}</p>
  );
}

/**
 * ↑/↓ move the focus along a list of buttons (the pick lists), so a busy desk never needs the
 * mouse: Tab reaches the list, the arrows walk it, Enter picks.
 */
export function arrowKeys(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const next = buttons[event.key === 'ArrowDown' ? Math.min(at + 1, buttons.length - 1) : Math.max(at - 1, 0)];
  event.preventDefault();
  next?.focus();
}

export function FlagCell({ result }: { result: ResultValue }) {
  const text = flagText(result);
  return <td className={`flag${isCritical(result) ? ' critical' : text ? ' abnormal' : ''}`} data-testid="flag">{text}</td>;
}

/** A report as the validator and the pathologist read it: the patient, the specimen, every result with its flag. */
export function ReportDetail({ report }: { report: ReportView }) {
  return (
    <div className="report-detail" data-testid="report-detail">
      <div className="current-head">
        <div>
          <strong>{report.patient.name}</strong> <span className="muted">{patientLine(report.patient)}</span>
          <div className="muted">
            {report.order.testName} · {SECTIONS[report.section] ?? report.section} · specimen <span className="accession-small">{report.specimen.accession}</span>
            {' '}collected {dateTimeText(report.specimen.collectedAt)}{report.specimen.receivedAt ? `, received ${dateTimeText(report.specimen.receivedAt)}` : ''}
          </div>
        </div>
        <span className={`status status-${report.status} push-right`} data-testid="report-status">{REPORT_STATUS_TEXT[report.status] ?? report.status}</span>
      </div>
      <table className="lab-table results">
        <thead><tr><th scope="col">Test</th><th scope="col">Result</th><th scope="col">Unit</th><th scope="col">Flag</th><th scope="col">Reference interval</th></tr></thead>
        <tbody>
          {report.results.map((r) => (
            <tr key={r.analyte} className={isCritical(r) ? 'critical-row' : undefined}>
              <th scope="row">{r.name}{r.device ? <span className="muted"> ({r.device})</span> : null}</th>
              <td className="value">{r.value ?? <span className="muted">not entered</span>}
                {r.previous?.length ? <span className="muted"> (was {r.previous.map((p) => p.value).join(', ')})</span> : null}</td>
              <td>{r.unit}</td>
              <FlagCell result={r} />
              <td className="muted">{r.reference}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {report.enteredAt && <>Entered {dateTimeText(report.enteredAt)}. </>}
        {report.validatedAt && <>Validated by {report.validatedBy ?? '—'} {dateTimeText(report.validatedAt)}. </>}
        {report.authorisedAt && <>Authorised by {report.authorisedBy ?? '—'} {dateTimeText(report.authorisedAt)}. </>}
      </p>
      {report.amendments?.length ? (
        <ul className="amendments" aria-label="Amendments">
          {report.amendments.map((a, i) => <li key={i}>Amended {dateTimeText(a.at)} by {a.by}: {a.reason}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
