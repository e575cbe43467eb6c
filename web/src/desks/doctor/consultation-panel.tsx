/** The consultation form of one visit, queued through the outbox as POST /api/opd/visits/:id/consultation. */
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { entries, refusalText } from '../opd/opd.js';
import { useRead } from '../opd/use-read.js';
import { useWrite } from '../opd/use-write.js';
import {
  checkConsultation, consultationBody, consultationPath, EMPTY_CONSULTATION, EMPTY_DIAGNOSIS, EMPTY_MEDICATION, VITALS,
  type ConsultationErrors, type ConsultationForm, type DiagnosisLine, type MedicationLine,
} from './consultation-form.js';

interface LabTest { id: string; title: string }

export function ConsultationPanel({ visit, patient, recorded, onRecorded }: { visit: string; patient: string; recorded: boolean; onRecorded: () => void }) {
  const write = useWrite();
  const [form, setForm] = useState<ConsultationForm>(EMPTY_CONSULTATION);
  const [errors, setErrors] = useState<ConsultationErrors>({});
  const [state, setState] = useState<{ kind: 'idle' | 'queued' | 'saved' | 'error' | 'missing'; text?: string }>({ kind: recorded ? 'saved' : 'idle' });
  const [filter, setFilter] = useState('');
  const sending = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const catalogue = useRead<unknown>('/fhir/R4/ActivityDefinition?_count=200');
  const tests = useMemo<LabTest[]>(() => entries<{ id?: string; title?: string; name?: string; status?: string }>(catalogue.data)
    .filter((a) => a.id && a.status !== 'retired')
    .map((a) => ({ id: a.id!, title: a.title ?? a.name ?? a.id! }))
    .sort((a, b) => a.title.localeCompare(b.title)), [catalogue.data]);
  const matching = filter.trim() ? tests.filter((t) => t.title.toLowerCase().includes(filter.trim().toLowerCase()) && !form.labOrders.includes(t.id)).slice(0, 8) : [];
  const titleOf = (id: string) => tests.find((t) => t.id === id)?.title ?? id;

  const set = (field: keyof ConsultationForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  const setLine = <K extends 'diagnoses' | 'medications'>(list: K, index: number, field: string, value: string) =>
    setForm((f) => ({ ...f, [list]: (f[list] as Array<DiagnosisLine | MedicationLine>).map((line, i) => (i === index ? { ...line, [field]: value } : line)) }));
  const addLab = (id: string) => {
    setForm((f) => ({ ...f, labOrders: f.labOrders.includes(id) ? f.labOrders : [...f.labOrders, id] }));
    setFilter('');
  };
  const locked = state.kind === 'queued' || state.kind === 'saved';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (sending.current || locked) return;
    const found = checkConsultation(form);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) return formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
    sending.current = true;
    const result = await write({ method: 'POST', path: consultationPath(visit), body: consultationBody(form) }, `Consultation ${patient}`.trim(),
      () => setState({ kind: 'queued', text: 'Queued in the outbox…' }));
    sending.current = false;
    if (result.ok) {
      setState({ kind: 'saved', text: 'Consultation recorded.' });
      onRecorded();
    } else if (result.status === 404 && /consultation|not found|Route/i.test(result.error)) {
      setState({ kind: 'missing', text: `The server cannot record consultations yet (${result.error}).` });
    } else {
      setState({ kind: 'error', text: refusalText(result.status, result.error) });
    }
  }

  return (
    <form ref={formRef} className="consultation" onSubmit={submit} noValidate aria-label="Consultation">
      {state.kind === 'saved' && (
        <p className="done" role="status" data-testid="consultation-saved">
          {state.text ?? 'Consultation recorded.'}{' '}
          <button type="button" className="link" onClick={() => { setForm(EMPTY_CONSULTATION); setErrors({}); setState({ kind: 'idle' }); }}>Record more for this visit</button>
        </p>
      )}
      {state.kind === 'queued' && <p className="queued" role="status">{state.text}</p>}
      {(state.kind === 'error' || state.kind === 'missing') && <p className="refused" role="alert" data-testid="consultation-refused">{state.text}</p>}
      <fieldset disabled={locked}>
        <legend>Vitals</legend>
        <div className="row vitals">
          {VITALS.map((v) => (
            <label key={v.field} className={`field vital${errors[v.field] ? ' invalid' : ''}`}>
              <span className="label">{v.label} <span className="muted">{v.unit}</span></span>
              <input name={v.field} data-field={v.field} inputMode="decimal" value={form[v.field]} onChange={set(v.field)} aria-invalid={errors[v.field] ? true : undefined} />
              {errors[v.field] && <span className="field-error" role="alert">{errors[v.field]}</span>}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Complaints</legend>
        <textarea name="complaints" data-field="complaints" aria-label="Complaints" rows={2} value={form.complaints} onChange={set('complaints')} />
        {errors.complaints && <span className="field-error" role="alert">{errors.complaints}</span>}
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Diagnoses</legend>
        {form.diagnoses.map((d, i) => (
          <div className="row line" key={i}>
            <label className="field wide-2"><span className="label">Diagnosis {i + 1}</span>
              <input name={`diagnosis-${i}`} data-field={`diagnosis-${i}`} value={d.text} onChange={(e) => setLine('diagnoses', i, 'text', e.target.value)} /></label>
            <label className="field short"><span className="label">ICD-10</span>
              <input name={`icd10-${i}`} value={d.icd10} placeholder="E11.9" title="optional" onChange={(e) => setLine('diagnoses', i, 'icd10', e.target.value)} /></label>
            {errors[`diagnosis-${i}`] && <span className="field-error wide" role="alert">{errors[`diagnosis-${i}`]}</span>}
          </div>
        ))}
        <button type="button" className="link" onClick={() => setForm((f) => ({ ...f, diagnoses: [...f.diagnoses, EMPTY_DIAGNOSIS] }))}>+ another diagnosis</button>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Medicines</legend>
        {form.medications.map((m, i) => (
          <div className="row line" key={i}>
            <label className="field wide-2"><span className="label">Medicine {i + 1}</span>
              <input name={`medication-${i}`} data-field={`medication-${i}`} value={m.text} placeholder="Tab. Paracetamol 500 mg" onChange={(e) => setLine('medications', i, 'text', e.target.value)} /></label>
            <label className="field short"><span className="label">Dose</span>
              <input name={`dose-${i}`} value={m.dose} placeholder="1 tab" onChange={(e) => setLine('medications', i, 'dose', e.target.value)} /></label>
            <label className="field short"><span className="label">Frequency</span>
              <input name={`frequency-${i}`} value={m.frequency} placeholder="1-0-1" onChange={(e) => setLine('medications', i, 'frequency', e.target.value)} /></label>
            <label className="field tiny"><span className="label">Days</span>
              <input name={`days-${i}`} inputMode="numeric" value={m.days} onChange={(e) => setLine('medications', i, 'days', e.target.value)} /></label>
            {errors[`medication-${i}`] && <span className="field-error wide" role="alert">{errors[`medication-${i}`]}</span>}
          </div>
        ))}
        <button type="button" className="link" onClick={() => setForm((f) => ({ ...f, medications: [...f.medications, EMPTY_MEDICATION] }))}>+ another medicine</button>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Lab orders</legend>
        <label className="field"><span className="label">Find a test <span className="muted">(type, then Enter adds the first match)</span></span>
          <input name="labSearch" autoComplete="off" value={filter} onChange={(e) => setFilter(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); if (matching[0]) addLab(matching[0].id); } }} />
        </label>
        {catalogue.error && <p className="error" role="alert">The lab catalogue: {catalogue.error}</p>}
        {matching.length > 0 && (
          <ul className="picklist" aria-label="Matching tests">
            {matching.map((t) => <li key={t.id}><button type="button" className="pick" onClick={() => addLab(t.id)}>{t.title}</button></li>)}
          </ul>
        )}
        <ul className="chips" aria-label="Tests ordered" data-testid="lab-orders">
          {form.labOrders.map((id) => (
            <li key={id}>{titleOf(id)} <button type="button" className="link" aria-label={`Remove ${titleOf(id)}`} onClick={() => setForm((f) => ({ ...f, labOrders: f.labOrders.filter((x) => x !== id) }))}>×</button></li>
          ))}
        </ul>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Advice and follow-up</legend>
        <div className="row">
          <label className="field wide-2"><span className="label">Advice</span>
            <textarea name="advice" rows={2} value={form.advice} onChange={set('advice')} /></label>
          <label className={`field tiny${errors.followUpDays ? ' invalid' : ''}`}><span className="label">Follow-up <span className="muted">days</span></span>
            <input name="followUpDays" data-field="followUpDays" inputMode="numeric" value={form.followUpDays} onChange={set('followUpDays')} />
            {errors.followUpDays && <span className="field-error" role="alert">{errors.followUpDays}</span>}</label>
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={locked} data-testid="save-consultation">{state.kind === 'saved' ? 'Recorded' : state.kind === 'queued' ? 'Saving…' : 'Save consultation'}</button>
      </div>
    </form>
  );
}
