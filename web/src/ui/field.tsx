/** A labelled input with its message beside it (aria-invalid, aria-describedby), for every desk form. */
import type { InputHTMLAttributes, ReactNode } from 'react';

export function Field({ label, name, error, hint, children, ...input }: {
  label: string; name: string; error?: string; hint?: ReactNode; children?: ReactNode;
} & InputHTMLAttributes<HTMLInputElement>) {
  const messageId = `${name}-message`;
  return (
    <label className={`field${error ? ' invalid' : ''}`}>
      <span className="label">{label}{hint && <span className="muted"> {hint}</span>}</span>
      {children ?? <input id={name} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? messageId : undefined} {...input} />}
      {error && <span className="field-error" id={messageId} role="alert">{error}</span>}
    </label>
  );
}
