/**
 * Turnaround (GET /api/lab/tat?date=): the median and 90th-percentile minutes of each stage, what
 * is still open at each stage, and the reports that missed their test's target. Read again every
 * 60 s; reads only, nothing goes through the outbox.
 */
import { useEffect, useState } from 'react';
import type { TurnaroundFigures } from '../../../../src/departments/lab/lab-api.js';
import { useRead } from '../opd/use-read.js';
import { deskToday } from '../registration/registration-form.js';
import { durationText, labPath, STAGE_TEXT } from './lab.js';

const REFRESH_MS = 60_000;
const PENDING_TEXT: Record<keyof TurnaroundFigures['pending'], string> = {
  collection: 'To collect', receipt: 'To receive', result: 'To result', validation: 'To validate', authorisation: 'To authorise',
};

export function TurnaroundDesk() {
  const [date, setDate] = useState(() => deskToday());
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const read = useRead<TurnaroundFigures>(labPath.tat(date), tick);
  const f = read.data?.date === date ? read.data : undefined;

  return (
    <main className="desk figures lab-tat" aria-labelledby="tat-title">
      <div className="board-controls">
        <h1 id="tat-title">Lab turnaround</h1>
        <label>Date{' '}
          <input type="date" name="date" value={date} max={deskToday()} onChange={(e) => setDate(e.target.value)} />
        </label>
        <button type="button" className="link" onClick={() => setTick((n) => n + 1)}>Refresh</button>
        <span className="muted">{read.loading ? 'reading…' : 'refreshed every minute'}</span>
      </div>
      {read.error && <p className="refused" role="alert">{read.error}</p>}
      {f && (
        <>
          <dl className="figures-totals pending" data-testid="tat-pending">
            {(Object.keys(PENDING_TEXT) as Array<keyof TurnaroundFigures['pending']>).map((stage) => (
              <div key={stage}><dt>{PENDING_TEXT[stage]}</dt><dd data-testid={`tat-pending-${stage}`}>{f.pending[stage] ?? 0}</dd></div>
            ))}
          </dl>
          <table data-testid="tat-stages">
            <caption>Time per stage</caption>
            <thead><tr><th scope="col">Stage</th><th scope="col">Count</th><th scope="col">Median</th><th scope="col">90th percentile</th></tr></thead>
            <tbody>
              {f.stages.map((s) => (
                <tr key={s.stage} className={s.stage === 'total' ? 'total' : undefined}>
                  <th scope="row">{STAGE_TEXT[s.stage] ?? s.stage}</th><td>{s.count}</td>
                  <td>{durationText(s.medianMinutes)}</td><td>{durationText(s.p90Minutes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table data-testid="tat-breaches">
            <caption>Late reports ({f.breaches.length}): authorised after the test's target from receipt</caption>
            <thead><tr><th scope="col">Test</th><th scope="col">Target</th><th scope="col">Took</th><th scope="col">Late by</th></tr></thead>
            <tbody>
              {f.breaches.length === 0 && <tr><td colSpan={4} className="muted">None</td></tr>}
              {f.breaches.map((b) => (
                <tr key={b.report} className="breach">
                  <th scope="row">{b.test}</th><td>{durationText(b.targetHours * 60)}</td><td>{durationText(b.actualHours * 60)}</td>
                  <td>{durationText((b.actualHours - b.targetHours) * 60)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
