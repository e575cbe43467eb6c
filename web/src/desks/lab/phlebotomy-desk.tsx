/**
 * Phlebotomy: the patients waiting for a sample (stat and urgent first), the tubes to draw for the
 * one picked (container, cap colour, the tests each serves), "Collected" (POST /collections through
 * the outbox), then the accession numbers with a label to print for each tube. The list is read
 * again every 30 s and after each collection; ↑/↓ move along it, Enter picks.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CollectionReply, PhlebotomyItem, SpecimenView } from '../../../../src/departments/lab/lab-api.js';
import { dateTimeText, refusalText, timeText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import { deskToday } from '../registration/registration-form.js';
import { capClass, highestPriority, labPath, patientLine, PRIORITY_TEXT, sortPhlebotomy } from './lab.js';
import { arrowKeys, Notice, type NoticeState } from './lab-ui.js';

const REFRESH_MS = 30_000;

export function PhlebotomyDesk() {
  const write = useWrite();
  const [tick, setTick] = useState(0);
  const date = deskToday();
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const read = useRead<PhlebotomyItem[]>(labPath.phlebotomy(date), tick);
  const list = useMemo(() => sortPhlebotomy(read.data ?? []), [read.data]);
  const [patientId, setPatientId] = useState<string>();
  const picked = list.find((i) => i.patient.id === patientId);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<NoticeState>();
  const [busy, setBusy] = useState(false);
  const [collected, setCollected] = useState<{ patient: string; specimens: SpecimenView[] }>();
  const collectRef = useRef<HTMLButtonElement>(null);

  const pick = (item: PhlebotomyItem) => {
    setPatientId(item.patient.id);
    // Every order is drawn unless the phlebotomist unticks one (a tube that could not be filled).
    setChosen(new Set(item.orders.map((o) => o.id)));
    setNotice(undefined);
    setCollected(undefined);
  };
  // Once a patient is picked the focus waits on "Collected": draw, then Enter.
  const pickedId = picked?.patient.id;
  useEffect(() => {
    if (pickedId) collectRef.current?.focus();
  }, [pickedId]);
  // After "Collected" the first label's link has the focus: Enter prints it, Tab reaches the next.
  const labelsRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (collected) labelsRef.current?.querySelector<HTMLAnchorElement>('a')?.focus();
  }, [collected]);

  async function collect() {
    if (!picked || busy || chosen.size === 0) return;
    setBusy(true);
    setNotice(undefined);
    const label = `Collected: ${picked.patient.name}`;
    const result = await write<CollectionReply>({ method: 'POST', path: labPath.collections, body: { patient: picked.patient.id, orders: [...chosen] } }, label,
      () => setNotice({ kind: 'queued', text: `${label}: queued in the outbox…` }));
    setBusy(false);
    if (result.ok) {
      setCollected({ patient: picked.patient.name, specimens: result.body.specimens });
      setNotice({ kind: 'ok', text: `${result.body.specimens.length} tube(s) collected from ${picked.patient.name}: print the labels and stick them on now.` });
      setPatientId(undefined);
    } else setNotice({ kind: 'error', text: `${label}: ${refusalText(result.status, result.error)}` });
    setTick((n) => n + 1);
  }

  return (
    <main className="desk lab" aria-labelledby="phlebotomy-title">
      <section className="panel">
        <h1 id="phlebotomy-title">Phlebotomy</h1>
        <Notice notice={notice} />
        {collected && (
          <div className="collected" data-testid="collected">
            <h2>Labels for {collected.patient}</h2>
            <ul className="specimen-list" ref={labelsRef}>
              {collected.specimens.map((s) => (
                <li key={s.id}>
                  <span className={capClass(s.capColour)} aria-hidden="true" />
                  <span className="accession" data-testid="accession">{s.accession}</span>
                  <span>{s.name} <span className="muted">{s.capColour} cap · {s.orders.map((o) => o.testName).join(', ')}</span></span>
                  <a className="button-link push-right" href={s.labelPdf || labPath.label(s.id)} target="_blank" rel="noopener" data-testid="print-label">Print label</a>
                </li>
              ))}
            </ul>
          </div>
        )}
        {!picked && !collected && <p className="muted">Pick the patient in the chair from the list (↑/↓, Enter).</p>}
        {picked && (
          <div className="current" data-testid="phlebotomy-patient">
            <div className="current-head">
              <span className={`priority ${highestPriority(picked.orders)}`}>{PRIORITY_TEXT[highestPriority(picked.orders)]}</span>
              <div>
                <strong>{picked.patient.name}</strong>
                <div className="muted">{patientLine(picked.patient)}</div>
              </div>
            </div>
            <h2>Tubes to draw</h2>
            <table className="lab-table" data-testid="tubes">
              <thead><tr><th scope="col">Cap</th><th scope="col">Tube</th><th scope="col">Container</th><th scope="col">For</th></tr></thead>
              <tbody>
                {picked.containers.map((c) => (
                  <tr key={c.specimenType}>
                    <td className="nowrap"><span className={capClass(c.capColour)} aria-hidden="true" /> {c.capColour}</td>
                    <td>{c.name}</td>
                    <td className="muted">{c.container}</td>
                    <td>{c.orders.map((id) => picked.orders.find((o) => o.id === id)?.testName ?? id).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <fieldset>
              <legend>Orders drawn</legend>
              {picked.orders.map((o) => (
                <label key={o.id} className="check-line">
                  <input type="checkbox" checked={chosen.has(o.id)} onChange={(e) => setChosen((s) => {
                    const next = new Set(s);
                    if (e.target.checked) next.add(o.id);
                    else next.delete(o.id);
                    return next;
                  })} />
                  {o.testName} <span className={`priority ${o.priority}`}>{PRIORITY_TEXT[o.priority]}</span>
                  <span className="muted"> ordered {dateTimeText(o.orderedAt)}{o.requester ? ` by ${o.requester}` : ''}</span>
                  {o.recollect && <span className="error"> · recollect: {o.recollect}</span>}
                </label>
              ))}
            </fieldset>
            <div className="actions">
              <button ref={collectRef} type="button" disabled={busy || chosen.size === 0} onClick={() => void collect()} data-testid="collect">
                {busy ? 'Saving…' : 'Collected'}
              </button>
              <button type="button" className="secondary" onClick={() => setPatientId(undefined)}>Back to the list</button>
            </div>
          </div>
        )}
      </section>
      <aside className="panel" aria-labelledby="phlebotomy-list-title">
        <h2 id="phlebotomy-list-title">Waiting for a sample <span className="muted">({list.length})</span></h2>
        {read.error && <p className="error" role="alert">{read.error}</p>}
        {read.data && list.length === 0 && <p className="muted">Nobody is waiting for a sample.</p>}
        <ol className="mini-queue" data-testid="phlebotomy-list" onKeyDown={arrowKeys}>
          {list.map((item, i) => {
            const priority = highestPriority(item.orders);
            return (
              <li key={item.patient.id} className={item.patient.id === patientId ? 'selected' : undefined}>
                <button type="button" className="pick" autoFocus={i === 0 && !patientId} onClick={() => pick(item)}>
                  <span className={`priority ${priority}`}>{PRIORITY_TEXT[priority]}</span> <strong>{item.patient.name}</strong>{' '}
                  <span className="uhid">{item.patient.uhid}</span>
                  <span className="muted block">{item.orders.map((o) => o.testName).join(', ')} · since {timeText(item.orders.map((o) => o.orderedAt).sort()[0])}</span>
                </button>
              </li>
            );
          })}
        </ol>
      </aside>
    </main>
  );
}
