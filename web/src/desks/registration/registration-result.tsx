/** The patient the clerk ends with, new or found: the UHID large, the slip to print, the next patient. */
import type { ReactNode } from 'react';
import { slipPath } from './registration-form.js';

export function RegistrationResult({ title, uhid, name, detail, patientId, onNext, status }: {
  title: string; uhid: string | undefined; name: string; detail?: string; patientId: string | undefined; onNext: () => void;
  /** Where the registration stands when it has not reached the server yet. */
  status?: ReactNode;
}) {
  return (
    <main className="desk registration">
      <section className="result" aria-live="polite">
        <h1>{title}</h1>
        <p className="uhid-big" data-testid="uhid">{uhid ?? 'no UHID in the answer'}</p>
        <p>{name} {detail && <span className="muted">{detail}</span>}</p>
        {status}
        {patientId && <p><a href={slipPath(patientId)} target="_blank" rel="noopener">Print registration slip</a></p>}
        <button type="button" autoFocus onClick={onNext}>Next patient</button>
      </section>
    </main>
  );
}
