/** The patient the clerk ends with, new or found: the UHID large, the slip to print, the next patient. */
import { slipPath } from './registration-form.js';

export function RegistrationResult({ title, uhid, name, detail, patientId, onNext }: {
  title: string; uhid: string | undefined; name: string; detail?: string; patientId: string | undefined; onNext: () => void;
}) {
  return (
    <main className="desk registration">
      <section className="result" aria-live="polite">
        <h1>{title}</h1>
        <p className="uhid-big" data-testid="uhid">{uhid ?? 'no UHID in the answer'}</p>
        <p>{name} {detail && <span className="muted">{detail}</span>}</p>
        {patientId && <p><a href={slipPath(patientId)} target="_blank" rel="noopener">Print registration slip</a></p>}
        <button type="button" autoFocus onClick={onNext}>Next patient</button>
      </section>
    </main>
  );
}
