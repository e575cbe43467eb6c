/**
 * Device review: analyzer results that matched no specimen or no test wait here (the server keeps
 * them, never drops them). The technician picks one from the list (newest first, ↑/↓ and Enter),
 * scans the tube it belongs to (the accession the instrument sent is offered), sees whose tube it is
 * and the analytes of its orders, chooses one with the arrows and assigns with Enter; or writes why
 * and discards it. Either way it leaves the list and stays in the record. Esc goes back to the list.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { LabCatalogue, ReportView, ReviewItem, SpecimenView } from '../../../../src/departments/lab/lab-api.js';
import { call } from '../../api/http.js';
import { outcomeText } from '../../api/operation-outcome.js';
import { dateTimeText, refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { accessionProblem, labPath, patientLine, scannedAccession } from './lab.js';
import { arrowKeys, Notice, ReportDetail, type NoticeState } from './lab-ui.js';
import { analyteChoices, newestFirst, offeredAccession, reviewPath, valueText } from './review-items.js';

const REFRESH_MS = 30_000;

const SPECIMEN_STATE: Record<SpecimenView['status'], string> = {
  collected: 'collected but not yet received: receive it at Sample receipt first, then assign',
  received: 'received',
  rejected: 'rejected: no result can be filed under it',
};

export function DeviceReviewDesk() {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const list = useRead<ReviewItem[]>(reviewPath.list, tick);
  const catalogue = useRead<LabCatalogue>(labPath.catalogue);
  // Assigned or discarded here: off the list at once, not only after the next read.
  const [finished, setFinished] = useState<Set<string>>(new Set());
  const items = useMemo(() => newestFirst((list.data ?? []).filter((i) => !finished.has(i.id))), [list.data, finished]);
  const [picked, setPicked] = useState<ReviewItem>();
  const [notice, setNotice] = useState<NoticeState>();
  const [assigned, setAssigned] = useState<ReportView>();
  const listRef = useRef<HTMLOListElement>(null);

  // The desk opens with the focus on the newest item, so Enter opens it; and again after each one is done.
  const focusList = () => listRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
  const first = items[0]?.id;
  useEffect(() => {
    if (!picked && (document.activeElement === document.body || document.activeElement === null)) focusList();
  }, [first, picked]);

  const done = (item: ReviewItem, text: string, report?: ReportView) => {
    setFinished((s) => new Set(s).add(item.id));
    setPicked(undefined);
    setAssigned(report);
    setNotice({ kind: 'ok', text });
    setTick((n) => n + 1);
    // After React has taken the item off the list: the next one has the focus.
    setTimeout(focusList, 0);
  };

  return (
    <main className="desk lab" aria-labelledby="device-review-title">
      <section className="panel">
        <h1 id="device-review-title">Device review</h1>
        <Notice notice={notice} />
        {catalogue.error && <p className="error" role="alert">The lab catalogue: {catalogue.error}</p>}
        {!picked && !assigned && <p className="muted">Open a result from the list (↑/↓, Enter).</p>}
        {!picked && assigned && <ReportDetail report={assigned} />}
        {picked && (
          <ReviewWork key={picked.id} item={picked} catalogue={catalogue.data} onNotice={setNotice} onDone={done}
            onClose={() => { setPicked(undefined); setTimeout(focusList, 0); }} />
        )}
      </section>
      <aside className="panel" aria-labelledby="device-review-list-title">
        <h2 id="device-review-list-title">Waiting for review <span className="muted">({items.length})</span></h2>
        {list.error && <p className="error" role="alert">{list.error}</p>}
        {list.data && items.length === 0 && <p className="muted">No analyzer result waits for review.</p>}
        <ol ref={listRef} className="mini-queue" data-testid="device-review-list" onKeyDown={arrowKeys}>
          {items.map((item) => (
            <li key={item.id} className={item.id === picked?.id ? 'selected' : undefined}>
              <button type="button" className="pick" onClick={() => { setPicked(item); setNotice(undefined); setAssigned(undefined); }}>
                <ReviewLine item={item} />
              </button>
            </li>
          ))}
        </ol>
      </aside>
    </main>
  );
}

/** One item as the list and the work area show it: what came, from which instrument, for which tube, when, and why it is here. */
function ReviewLine({ item }: { item: ReviewItem }) {
  return (
    <>
      <strong className="device-code">{item.testCode}</strong> <span className="device-value">{valueText(item)}</span>{' '}
      <span className="muted">· {item.instrument}</span>
      <span className="muted block">
        {item.accession ? <>tube <span className="accession-small">{item.accession}</span></> : 'no tube named'} · {dateTimeText(item.receivedAt)}
      </span>
      <span className="block small device-reason">{item.reason}</span>
    </>
  );
}

function ReviewWork({ item, catalogue, onNotice, onDone, onClose }: {
  item: ReviewItem; catalogue: LabCatalogue | undefined; onNotice: (n: NoticeState | undefined) => void;
  onDone: (item: ReviewItem, text: string, report?: ReportView) => void; onClose: () => void;
}) {
  const write = useWrite();
  const [scan, setScan] = useState(() => offeredAccession(item));
  const [specimen, setSpecimen] = useState<SpecimenView>();
  const [analyte, setAnalyte] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const scanRef = useRef<HTMLInputElement>(null);
  const choicesRef = useRef<HTMLFieldSetElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const choices = useMemo(() => (specimen ? analyteChoices(specimen, catalogue?.tests, item.units) : []), [specimen, catalogue, item.units]);

  // Opened: the scan field has the focus with the offered accession selected, so Enter tries it and a scan replaces it.
  useEffect(() => {
    scanRef.current?.focus();
    scanRef.current?.select();
  }, []);
  // A received tube found: the analyte to choose has the focus, the first whose units agree with what
  // was sent (one in other units the server would refuse anyway); the arrows move on from there.
  useEffect(() => {
    if (specimen?.status !== 'received' || choices.length === 0) return;
    const start = (choices.find((c) => c.unitsAgree) ?? choices[0]).key;
    setAnalyte(start);
    choicesRef.current?.querySelector<HTMLInputElement>(`input[value="${CSS.escape(start)}"]`)?.focus();
  }, [specimen, choices]);

  async function look(event: FormEvent) {
    event.preventDefault();
    const accession = scannedAccession(scan);
    if (!accession || busy) return;
    setSpecimen(undefined);
    setAnalyte('');
    const problem = accessionProblem(accession);
    if (problem) {
      onNotice({ kind: 'error', text: problem });
      scanRef.current?.select();
      return;
    }
    setBusy(true);
    onNotice(undefined);
    try {
      const answer = await call<SpecimenView>('GET', labPath.byAccession(accession));
      setScan(accession);
      if (answer.status === 200) setSpecimen(answer.body);
      else {
        onNotice({ kind: 'error', text: answer.status === 404
          ? `No specimen with the accession ${accession}: scan the tube this result came from, or discard the result.`
          : outcomeText(answer.body, answer.status) });
        scanRef.current?.select();
      }
    } catch (err) {
      onNotice({ kind: 'error', text: `The server could not be reached (${err instanceof Error ? err.message : String(err)}). Try again in a moment.` });
    } finally {
      setBusy(false);
    }
  }

  async function assign() {
    const choice = choices.find((c) => c.key === analyte);
    if (!specimen || busy) return;
    if (!choice) {
      onNotice({ kind: 'error', text: 'Choose the analyte this value is.' });
      return;
    }
    setBusy(true);
    const label = `Assign ${item.testCode} ${valueText(item)} to ${choice.name}, ${specimen.accession}`;
    const result = await write<ReportView>({ method: 'POST', path: reviewPath.assign(item.id), body: { specimen: specimen.id, analyte: choice.key } }, label,
      () => onNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      onDone(item, `${item.testCode} ${valueText(item)} is now the ${choice.name} of ${specimen.patient.name} (${specimen.accession}); it waits for validation.`, result.body);
    } else onNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
  }

  async function discard() {
    if (busy) return;
    const why = reason.trim();
    if (!why) {
      onNotice({ kind: 'error', text: 'Write why the result is discarded (a control run, a repeat, a tube not ours…).' });
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    const label = `Discard ${item.testCode} ${valueText(item)} from ${item.instrument}`;
    const result = await write<ReviewItem>({ method: 'POST', path: reviewPath.discard(item.id), body: { reason: why } }, label,
      () => onNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) onDone(item, `${item.testCode} ${valueText(item)} from ${item.instrument} discarded: ${why}. The record keeps it.`);
    else onNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
  }

  // Enter on a chosen analyte assigns (arrows already move between the radio buttons).
  const onChoiceKey = (event: KeyboardEvent<HTMLFieldSetElement>) => {
    if (event.key !== 'Enter' || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    void assign();
  };

  return (
    <div className="current device-review" data-testid="review-item" onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); onClose(); } }}>
      <div className="review-item-head">
        <ReviewLine item={item} />
      </div>
      <form className="scan-form" onSubmit={look} role="search" aria-label="Find the specimen">
        <label className="field">
          <span className="label">The tube this result belongs to <span className="muted">(scan or type its accession, then Enter)</span></span>
          <input ref={scanRef} name="accession" className="scan" autoComplete="off" spellCheck={false} value={scan}
            onChange={(e) => { setScan(e.target.value); setSpecimen(undefined); }} />
        </label>
      </form>
      {specimen && (
        <div data-testid="review-specimen">
          <div className="current-head">
            <div>
              <span className="accession">{specimen.accession}</span>
              <div><strong>{specimen.patient.name}</strong> <span className="muted">{patientLine(specimen.patient)}</span></div>
              <div className="muted">{specimen.name} · collected {dateTimeText(specimen.collectedAt)}{specimen.receivedAt ? `, received ${dateTimeText(specimen.receivedAt)}` : ''}</div>
              <div>{specimen.orders.map((o) => o.testName).join(', ')}</div>
            </div>
            <span className={`status status-${specimen.status} push-right`}>{specimen.status}</span>
          </div>
          {specimen.status !== 'received' && <p className="refused" role="alert">{specimen.accession} is {SPECIMEN_STATE[specimen.status]}.</p>}
          {specimen.status === 'received' && choices.length === 0 && (
            <p className="refused" role="alert">None of this tube's tests has analytes in the lab catalogue{catalogue ? '' : ' (not loaded yet)'}: nothing to assign to.</p>
          )}
          {specimen.status === 'received' && choices.length > 0 && (
            <fieldset ref={choicesRef} className="analyte-choices" onKeyDown={onChoiceKey} data-testid="analyte-choices">
              <legend>Which analyte is {valueText(item)}? <span className="muted">(↑/↓, Enter assigns)</span></legend>
              <div className="choices-grid">
                {choices.map((c) => (
                  <label key={c.key} className={`check-line${c.unitsAgree ? '' : ' units-differ'}`}>
                    <input type="radio" name="analyte" value={c.key} checked={analyte === c.key} onChange={() => setAnalyte(c.key)} />
                    <span>{c.name}</span> {c.unit && <span className="muted">{c.unit}</span>}
                    {/* Which test, only when the tube carries several: otherwise it is the same words on every line. */}
                    {specimen.orders.length > 1 && <span className="muted small">{c.tests.join(', ')}</span>}
                  </label>
                ))}
              </div>
              {choices.some((c) => !c.unitsAgree) && <p className="muted small">Greyed: reported in other units than the {item.units} sent; the server refuses those.</p>}
              <div className="actions">
                <button type="button" disabled={busy || !analyte} onClick={() => void assign()} data-testid="assign">{busy ? 'Saving…' : 'Assign'}</button>
              </div>
            </fieldset>
          )}
        </div>
      )}
      <div className="row reject-row">
        <label className="field wide-2">
          <span className="label">Or discard it: the reason</span>
          <input ref={reasonRef} name="discard-reason" value={reason} maxLength={1000} autoComplete="off" onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void discard(); } }} />
        </label>
        <button type="button" className="danger align-end" disabled={busy} onClick={() => void discard()} data-testid="discard">Discard</button>
        <button type="button" className="link align-end" onClick={onClose}>Back to the list (Esc)</button>
      </div>
    </div>
  );
}
