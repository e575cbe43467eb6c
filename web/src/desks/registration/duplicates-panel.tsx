/** Patients already registered who may be the one at the counter, best match first. */
import type { Duplicates, DuplicateCandidate } from './use-duplicates.js';

const score = (value: number) => (value <= 1 ? `${Math.round(value * 100)}%` : String(value));

export function DuplicatesPanel({ duplicates, onPick }: { duplicates: Duplicates; onPick: (candidate: DuplicateCandidate) => void }) {
  if (duplicates.unavailable) return <aside className="duplicates"><p className="muted">The duplicate check is not available just now.</p></aside>;
  if (duplicates.candidates.length === 0) return null;
  return (
    <aside className="duplicates" aria-labelledby="duplicates-title" data-testid="duplicates">
      <h2 id="duplicates-title">Already registered? {duplicates.candidates.length} possible match{duplicates.candidates.length > 1 ? 'es' : ''}</h2>
      <ol>
        {duplicates.candidates.map((c) => (
          <li key={c.id} className={`candidate grade-${c.grade}`}>
            <div className="candidate-head">
              <strong>{c.name}</strong> <span className="uhid">{c.uhid}</span>
              <span className="score" title={`match grade: ${c.grade}`}>{score(c.score)} · {c.grade}</span>
            </div>
            <div className="muted">{[c.sex, c.birthDate, c.phone].filter(Boolean).join(' · ')}</div>
            {c.reasons.length > 0 && <ul className="reasons">{c.reasons.map((r) => <li key={r}>{r}</li>)}</ul>}
            <button type="button" onClick={() => onPick(c)}>This is the patient</button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
