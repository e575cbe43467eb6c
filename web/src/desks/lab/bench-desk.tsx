/**
 * The bench: the received specimens waiting for results, by section; pick one and type its results
 * with the keyboard: one input per analyte with its unit and reference interval, Enter or Tab to
 * the next, Enter on the last one saves. Values are checked as they are typed (a letter in a number,
 * too many decimals); the flags (H/L, critical) are the server's and appear once it has saved them.
 * A re-entry before validation replaces the earlier value (the server keeps its history).
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { LabCatalogue, LabSectionKey, ReportView, WorklistItem } from '../../../../src/departments/lab/lab-api.js';
import { dateTimeText, refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import {
  bySpecimen, checkEntry, checkValue, entryBody, entryRows, flagText, FORM, highestPriority, isCritical, labPath, patientLine,
  PRIORITY_TEXT, rowKey, SECTIONS, type EntryRow,
} from './lab.js';
import { arrowKeys, Notice, type NoticeState } from './lab-ui.js';

const REFRESH_MS = 30_000;

export function BenchDesk() {
  const [section, setSection] = useState<LabSectionKey | ''>('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const worklist = useRead<WorklistItem[]>(labPath.worklist('entry', section), tick);
  const catalogue = useRead<LabCatalogue>(labPath.catalogue);
  const groups = useMemo(() => bySpecimen(worklist.data ?? []), [worklist.data]);
  const [specimenId, setSpecimenId] = useState<string>();
  // Kept once picked, so the flags stay on screen after saving even though the specimen then leaves the entry list.
  const [picked, setPicked] = useState<ReturnType<typeof bySpecimen>[number]>();

  useEffect(() => {
    const fresh = groups.find((g) => g.specimen.id === specimenId);
    if (fresh) setPicked(fresh);
  }, [groups, specimenId]);

  return (
    <main className="desk lab" aria-labelledby="bench-title">
      <section className="panel">
        <h1 id="bench-title">Bench: result entry</h1>
        {catalogue.error && <p className="error" role="alert">The lab catalogue: {catalogue.error}</p>}
        {!picked && <p className="muted">Pick a specimen from the worklist (↑/↓, Enter).</p>}
        {picked && (
          <ResultEntry key={picked.specimen.id} group={picked} catalogue={catalogue.data}
            onSaved={() => setTick((n) => n + 1)} />
        )}
      </section>
      <aside className="panel" aria-labelledby="bench-list-title">
        <h2 id="bench-list-title">Worklist <span className="muted">({groups.length})</span></h2>
        <label className="field">
          <span className="label">Section</span>
          <select name="section" value={section} onChange={(e) => setSection(e.target.value as LabSectionKey | '')}>
            <option value="">All sections</option>
            {Object.entries(SECTIONS).map(([key, name]) => <option key={key} value={key}>{name}</option>)}
          </select>
        </label>
        {worklist.error && <p className="error" role="alert">{worklist.error}</p>}
        {worklist.data && groups.length === 0 && <p className="muted">No specimen waits for results.</p>}
        <ol className="mini-queue" data-testid="bench-list" onKeyDown={arrowKeys}>
          {groups.map((g) => {
            const priority = highestPriority(g.items.map((i) => i.order));
            return (
              <li key={g.specimen.id} className={g.specimen.id === specimenId ? 'selected' : undefined}>
                <button type="button" className="pick" onClick={() => { setSpecimenId(g.specimen.id); setPicked(g); }}>
                  <span className="accession-small">{g.specimen.accession}</span> <strong>{g.patient.name}</strong>{' '}
                  {priority !== 'routine' && <span className={`priority ${priority}`}>{PRIORITY_TEXT[priority]}</span>}
                  <span className="muted block">{g.items.map((i) => i.order.testName).join(', ')}</span>
                </button>
              </li>
            );
          })}
        </ol>
      </aside>
    </main>
  );
}

function ResultEntry({ group, catalogue, onSaved }: {
  group: ReturnType<typeof bySpecimen>[number]; catalogue: LabCatalogue | undefined; onSaved: () => void;
}) {
  const write = useWrite();
  const rows = useMemo(() => entryRows(group.items, catalogue?.tests), [group.items, catalogue]);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(rows.filter((r) => r.value).map((r) => [r.key, r.value!])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<ReportView[]>();
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // The first input takes the focus as soon as the specimen is picked: the technician types at once.
  // (Not again once typing has begun: the catalogue arriving late must not pull the cursor back.)
  useEffect(() => {
    if (!formRef.current?.contains(document.activeElement)) formRef.current?.querySelector<HTMLElement>('[data-entry]')?.focus();
  }, [rows.length]);

  const inputs = () => [...(formRef.current?.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-entry]') ?? [])];

  const change = (row: EntryRow, text: string) => {
    setValues((v) => ({ ...v, [row.key]: text }));
    const check = checkValue(row, text);
    setErrors((e) => {
      const next = { ...e };
      delete next[FORM];
      if (check.ok) delete next[row.key];
      else next[row.key] = check.message;
      return next;
    });
    setSaved(undefined);
  };

  /** Enter moves on like Tab (the analyzer printout is read line by line); on the last value it saves. */
  const onKey = (event: KeyboardEvent<HTMLInputElement | HTMLSelectElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const all = inputs();
    const at = all.indexOf(event.currentTarget);
    if (at >= 0 && at < all.length - 1) all[at + 1].focus();
    else formRef.current?.requestSubmit();
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = checkEntry(rows, values);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[data-entry="${first === FORM ? rows[0]?.key : first}"]`)?.focus();
      return;
    }
    setBusy(true);
    const label = `Results ${group.specimen.accession}`;
    const result = await write<ReportView[]>({ method: 'POST', path: labPath.results(group.specimen.id), body: entryBody(rows, values) }, label,
      () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      setSaved(result.body);
      const critical = result.body.flatMap((r) => r.results).filter(isCritical);
      setNotice(critical.length
        ? { kind: 'error', text: `Saved. Critical: ${critical.map((r) => `${r.name} ${r.value} ${r.unit ?? ''}`.trim()).join(', ')}. The ordering doctor has been alerted; phone the ward as well.` }
        : { kind: 'ok', text: 'Saved. The results wait for validation.' });
      onSaved();
    } else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
  }

  const savedResult = (row: EntryRow) => saved?.find((r) => r.order.id === row.order)?.results.find((r) => r.analyte === row.analyte);
  let lastTest = '';

  return (
    <form ref={formRef} className="entry" onSubmit={save} noValidate aria-label={`Results for ${group.specimen.accession}`} data-testid="result-entry">
      <div className="current-head">
        <div>
          <span className="accession">{group.specimen.accession}</span>
          <div><strong>{group.patient.name}</strong> <span className="muted">{patientLine(group.patient)}</span></div>
          <div className="muted">{group.specimen.name} · received {dateTimeText(group.specimen.receivedAt)}</div>
        </div>
      </div>
      <table className="lab-table entry-table">
        <thead><tr><th scope="col">Analyte</th><th scope="col">Result</th><th scope="col">Unit</th><th scope="col">Reference interval</th><th scope="col">Flag</th></tr></thead>
        <tbody>
          {rows.map((row) => {
            const head = row.testName !== lastTest ? row.testName : undefined;
            lastTest = row.testName;
            const after = savedResult(row);
            const shown = after ?? (saved ? undefined : row.value !== undefined && values[row.key] === row.value ? row : undefined);
            const error = errors[row.key];
            const id = `entry-${rowKey(row.order, row.analyte).replace(/[^A-Za-z0-9-]/g, '_')}`;
            return [
              head && <tr key={`${row.key}-head`} className="test-head"><th colSpan={5}>{head}</th></tr>,
              <tr key={row.key} className={shown && isCritical(shown) ? 'critical-row' : undefined}>
                <th scope="row"><label htmlFor={id}>{row.name}</label></th>
                <td>
                  {row.kind === 'coded' && row.answers?.length ? (
                    <select id={id} data-entry={row.key} value={values[row.key] ?? ''} onChange={(e) => change(row, e.target.value)} onKeyDown={onKey}>
                      <option value="">—</option>
                      {row.answers.map((a) => <option key={a.code} value={a.display}>{a.display}</option>)}
                    </select>
                  ) : (
                    <input id={id} data-entry={row.key} name={row.analyte} autoComplete="off" inputMode={row.kind === 'quantity' ? 'decimal' : 'text'}
                      aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}
                      value={values[row.key] ?? ''} onChange={(e) => change(row, e.target.value)} onKeyDown={onKey} />
                  )}
                  {error && <span className="field-error block" id={`${id}-error`} role="alert">{error}</span>}
                </td>
                <td>{row.unit}</td>
                <td className="muted">{after?.reference ?? row.reference}</td>
                {shown ? <td className={`flag${isCritical(shown) ? ' critical' : flagText(shown) ? ' abnormal' : ''}`} data-testid="flag">{flagText(shown)}</td> : <td />}
              </tr>,
            ];
          })}
        </tbody>
      </table>
      {errors[FORM] && <p className="error" role="alert">{errors[FORM]}</p>}
      <Notice notice={notice} />
      <div className="actions">
        <button type="submit" disabled={busy} data-testid="save-results">{busy ? 'Saving…' : saved ? 'Save again' : 'Save'}</button>
        <span className="muted">Enter moves to the next value; Enter on the last one saves.</span>
      </div>
    </form>
  );
}
