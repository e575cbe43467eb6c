/**
 * Sample receipt: the scan field takes the accession (a barcode scanner types it and presses
 * Enter), the specimen is shown with the Receive button focused, so a second Enter receives it and
 * the focus is back in the scan field for the next tube. A bad sample is rejected with a reason and
 * a note instead; its orders go back to the phlebotomy list (the server does that).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SpecimenView } from '../../../../src/departments/lab/lab-api.js';
import type { RejectionReason } from '../../../../src/departments/lab/specimen-rejection.js';
import { call } from '../../api/http.js';
import { outcomeText } from '../../api/operation-outcome.js';
import { dateTimeText, refusalText, timeText } from '../opd/opd.js';
import { useWrite } from '../opd/use-write.js';
import { accessionProblem, capClass, labPath, patientLine, REJECTION_REASONS, scannedAccession } from './lab.js';
import { Notice, type NoticeState } from './lab-ui.js';

const STATUS_TEXT: Record<SpecimenView['status'], string> = { collected: 'Collected, not yet received', received: 'Received', rejected: 'Rejected' };

export function ReceiptDesk() {
  const write = useWrite();
  const [scan, setScan] = useState('');
  const [specimen, setSpecimen] = useState<SpecimenView>();
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState<RejectionReason | ''>('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState<SpecimenView[]>([]);
  const scanRef = useRef<HTMLInputElement>(null);
  const receiveRef = useRef<HTMLButtonElement>(null);
  const reasonRef = useRef<HTMLSelectElement>(null);

  // A tube waiting to be received: the focus goes to Receive, so the scanner's Enter then one more Enter does it.
  const waiting = specimen?.status === 'collected' ? specimen.id : undefined;
  useEffect(() => {
    if (waiting) receiveRef.current?.focus();
  }, [waiting]);
  useEffect(() => {
    if (rejecting) reasonRef.current?.focus();
  }, [rejecting]);

  const backToScan = () => {
    setScan('');
    scanRef.current?.focus();
  };

  async function look(event: FormEvent) {
    event.preventDefault();
    const accession = scannedAccession(scan);
    if (!accession) return;
    const problem = accessionProblem(accession);
    if (problem) {
      setSpecimen(undefined);
      setNotice({ kind: 'error', text: problem });
      return backToScan();
    }
    setBusy(true);
    setNotice(undefined);
    setRejecting(false);
    try {
      const answer = await call<SpecimenView>('GET', labPath.byAccession(accession));
      if (answer.status === 200) {
        setSpecimen(answer.body);
        setScan(accession);
        if (answer.body.status !== 'collected') {
          setNotice({ kind: 'error', text: `${accession} is already ${answer.body.status === 'received' ? `received (${dateTimeText(answer.body.receivedAt)})` : 'rejected'}.` });
          backToScan();
        }
      } else {
        setSpecimen(undefined);
        setNotice({ kind: 'error', text: answer.status === 404 ? `No specimen with the accession ${accession}: check the label, or scan again.` : outcomeText(answer.body, answer.status) });
        backToScan();
      }
    } catch (err) {
      setNotice({ kind: 'error', text: `The server could not be reached (${err instanceof Error ? err.message : String(err)}). Scan again in a moment.` });
    } finally {
      setBusy(false);
    }
  }

  async function act(kind: 'receive' | 'reject') {
    if (!specimen || busy) return;
    if (kind === 'reject' && !reason) {
      setNotice({ kind: 'error', text: 'Pick the reason for rejecting the sample.' });
      reasonRef.current?.focus();
      return;
    }
    if (kind === 'reject' && reason === 'other' && !note.trim()) {
      setNotice({ kind: 'error', text: 'Write what is wrong with the sample in the note.' });
      return;
    }
    setBusy(true);
    const label = `${kind === 'receive' ? 'Receive' : 'Reject'} ${specimen.accession}`;
    const request = kind === 'receive'
      ? { method: 'POST' as const, path: labPath.receive(specimen.id), body: {} }
      : { method: 'POST' as const, path: labPath.reject(specimen.id), body: { reason, ...(note.trim() ? { note: note.trim() } : {}) } };
    const result = await write<SpecimenView>(request, label, () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      setDone((d) => [result.body, ...d].slice(0, 30));
      setNotice(kind === 'receive'
        ? { kind: 'ok', text: `${specimen.accession} received at ${timeText(result.body.receivedAt)}. Scan the next tube.` }
        : { kind: 'ok', text: `${specimen.accession} rejected (${REJECTION_REASONS[reason as RejectionReason]}): its tests are back on the phlebotomy list.` });
      setSpecimen(undefined);
      setRejecting(false);
      setReason('');
      setNote('');
      backToScan();
    } else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
  }

  return (
    <main className="desk lab" aria-labelledby="receipt-title">
      <section className="panel">
        <h1 id="receipt-title">Sample receipt</h1>
        <form className="scan-form" onSubmit={look} role="search" aria-label="Scan a specimen">
          <label className="field">
            <span className="label">Scan the tube's barcode <span className="muted">(or type the accession, then Enter)</span></span>
            <input ref={scanRef} name="accession" className="scan" autoFocus autoComplete="off" spellCheck={false} value={scan}
              onChange={(e) => setScan(e.target.value)} onFocus={(e) => e.target.select()} />
          </label>
        </form>
        <Notice notice={notice} />
        {specimen && (
          <div className="current" data-testid="scanned" onKeyDown={(e) => {
            // The next tube scanned while Receive has the focus: its digits go to the scan field (which
            // selects its text on focus, so they replace the last accession), and the scanner's Enter
            // looks that tube up instead of receiving this one.
            if (/^[0-9A-Za-z]$/.test(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement)) {
              scanRef.current?.focus();
              return;
            }
            if (e.key !== 'Escape') return;
            if (rejecting) setRejecting(false);
            else {
              setSpecimen(undefined);
              backToScan();
            }
          }}>
            <div className="current-head">
              <span className={capClass(specimen.capColour)} aria-hidden="true" />
              <div>
                <span className="accession" data-testid="scanned-accession">{specimen.accession}</span>
                <div><strong>{specimen.patient.name}</strong> <span className="muted">{patientLine(specimen.patient)}</span></div>
                <div className="muted">{specimen.name} · {specimen.capColour} cap · collected {dateTimeText(specimen.collectedAt)}{specimen.collector ? ` by ${specimen.collector}` : ''}</div>
                <div>{specimen.orders.map((o) => o.testName).join(', ')}</div>
              </div>
              <span className={`status status-${specimen.status} push-right`}>{STATUS_TEXT[specimen.status]}</span>
            </div>
            {specimen.status === 'collected' && (
              <>
                <div className="actions">
                  <button ref={receiveRef} type="button" disabled={busy} onClick={() => void act('receive')} data-testid="receive">Receive</button>
                  <button type="button" className="secondary" disabled={busy} onClick={() => setRejecting(true)}>Reject…</button>
                  <button type="button" className="link" onClick={() => { setSpecimen(undefined); backToScan(); }}>Cancel (Esc)</button>
                </div>
                {rejecting && (
                  <div className="row reject-row">
                    <label className="field">
                      <span className="label">Reason</span>
                      <select ref={reasonRef} name="reason" value={reason} onChange={(e) => setReason(e.target.value as RejectionReason)}>
                        <option value="">Pick the reason…</option>
                        {Object.entries(REJECTION_REASONS).map(([code, text]) => <option key={code} value={code}>{text}</option>)}
                      </select>
                    </label>
                    <label className="field wide-2">
                      <span className="label">Note</span>
                      <input name="note" value={note} onChange={(e) => setNote(e.target.value)}
                        onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void act('reject'); } }} />
                    </label>
                    <button type="button" className="danger align-end" disabled={busy} onClick={() => void act('reject')} data-testid="reject">Reject sample</button>
                  </div>
                )}
              </>
            )}
          </div>
        )}
      </section>
      <aside className="panel" aria-labelledby="receipt-done-title">
        <h2 id="receipt-done-title">Done at this desk</h2>
        {done.length === 0 && <p className="muted">Nothing yet.</p>}
        <ol className="mini-queue" data-testid="receipt-done">
          {done.map((s) => (
            <li key={`${s.id}-${s.status}`}>
              <span className="accession-small">{s.accession}</span> {s.patient.name}{' '}
              <span className={`status status-${s.status}`}>{s.status === 'received' ? `received ${timeText(s.receivedAt)}` : `rejected: ${s.rejection?.display ?? ''}`}</span>
            </li>
          ))}
        </ol>
      </aside>
    </main>
  );
}
