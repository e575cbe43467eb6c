/** A password an admin set must be changed before the session opens anything else. */
import { useState, type FormEvent } from 'react';
import { changePassword, type SessionView } from '../api/session.js';

export function PasswordChange({ onChanged, onSignOut }: { onChanged: (session: SessionView) => void; onSignOut: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== again) return setError('the two new passwords are not the same');
    setBusy(true);
    try {
      onChanged(await changePassword(current, next));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="password-title">
        <h1 id="password-title">Choose your own password</h1>
        <p className="muted">Your password was set by an administrator. Choose a new one to continue.</p>
        <label>Current password
          <input type="password" autoComplete="current-password" autoFocus required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label>New password
          <input type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label>New password again
          <input type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" disabled={busy}>Change password</button>
        <button type="button" className="link" onClick={onSignOut}>Sign out</button>
      </form>
    </main>
  );
}
