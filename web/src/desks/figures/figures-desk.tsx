/**
 * Figures for the desk in charge (GET /api/opd/figures?date=): the day's registrations, visits per
 * department, and the median and 90th-percentile wait from arrival to consultation; read again every
 * 30 s. Reads only: nothing to queue in the outbox. The server decides who may read them (the
 * roles that search visits and patients).
 */
import { useEffect, useState } from 'react';
import { useRead } from '../opd/use-read.js';
import { deskToday } from '../registration/registration-form.js';
import { FIGURES_PATH, minutes, type Figures } from './figures.js';

const REFRESH_MS = 30_000;

export function FiguresDesk() {
  const [date, setDate] = useState(() => deskToday());
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const read = useRead<Figures>(date ? `${FIGURES_PATH}?date=${encodeURIComponent(date)}` : null, tick);
  const f = read.data?.date === date ? read.data : undefined;

  return (
    <main className="desk figures" aria-labelledby="figures-title">
      <div className="board-controls">
        <h1 id="figures-title">Figures</h1>
        <label>Date{' '}
          <input type="date" name="date" value={date} max={deskToday()} onChange={(e) => setDate(e.target.value)} />
        </label>
        <button type="button" className="link" onClick={() => setTick((n) => n + 1)}>Refresh</button>
        <span className="muted">{read.loading ? 'reading…' : 'refreshed every 30 s'}</span>
      </div>
      {read.error && <p className="refused" role="alert">{read.error}</p>}
      {f && (
        <>
          <dl className="figures-totals">
            <div><dt>Registrations</dt><dd data-testid="figures-registrations">{f.registrations}</dd></div>
            <div><dt>Visits</dt><dd data-testid="figures-visits">{f.visits}</dd></div>
            <div><dt>Median wait</dt><dd data-testid="figures-median">{minutes(f.medianWaitMinutes)}</dd></div>
            <div><dt>90th percentile wait</dt><dd data-testid="figures-p90">{minutes(f.p90WaitMinutes)}</dd></div>
          </dl>
          <table data-testid="figures-departments">
            <caption>Visits per department</caption>
            <thead>
              <tr><th scope="col">Department</th><th scope="col">Visits</th><th scope="col">Waiting</th><th scope="col">Done</th>
                <th scope="col">Median wait</th><th scope="col">90th percentile</th></tr>
            </thead>
            <tbody>
              {f.departments.length === 0 && <tr><td colSpan={6} className="muted">No visits on this day</td></tr>}
              {f.departments.map((d) => (
                <tr key={d.department}>
                  <th scope="row">{d.name}</th><td>{d.visits}</td><td>{d.waiting}</td><td>{d.done}</td>
                  <td>{minutes(d.medianWaitMinutes)}</td><td>{minutes(d.p90WaitMinutes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
