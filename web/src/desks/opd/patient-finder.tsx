/** Find a registered patient by UHID or name (FHIR Patient search) and pick one. */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/http.js';
import { outcomeText } from '../../api/operation-outcome.js';
import { entries, patientQuery, patientSummary, type PatientSummary } from './opd.js';

export function PatientFinder({ onPick, autoFocus }: { onPick: (patient: PatientSummary) => void; autoFocus?: boolean }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<PatientSummary[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function search(event: FormEvent) {
    event.preventDefault();
    const path = patientQuery(text);
    if (!path) return setError('Type a UHID or at least two letters of the name');
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call('GET', path);
      if (answer.status !== 200) throw new Error(outcomeText(answer.body, answer.status));
      const patients = entries(answer.body).filter((p) => p.resourceType === 'Patient' && p.active !== false).map(patientSummary);
      setFound(patients);
      if (patients.length === 1) onPick(patients[0]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="finder" onSubmit={search} role="search" aria-label="Find a patient">
      <div className="row">
        <label className="field">
          <span className="label">Patient: UHID or name</span>
          <input name="patientSearch" autoFocus={autoFocus} autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" disabled={busy} className="align-end">{busy ? 'Searching…' : 'Find'}</button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {found && found.length === 0 && <p className="muted" role="status">No patient found. Register the patient at the registration desk first.</p>}
      {found && found.length > 1 && (
        <ul className="picklist" aria-label="Patients found">
          {found.map((p) => (
            <li key={p.id}>
              <button type="button" className="pick" onClick={() => onPick(p)}>
                <strong>{p.name}</strong> <span className="uhid">{p.uhid}</span> <span className="muted">{p.detail}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
