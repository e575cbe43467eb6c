/** Sign-in: username and password, and the one-time code for accounts that have one. */
import { useState, type FormEvent } from 'react';
import { signIn, type SessionView } from '../api/session.js';

export function SignIn({ hospital, onSignedIn }: { hospital: string; onSignedIn: (session: SessionView) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      onSignedIn(await signIn(username.trim(), password, totp.trim() || undefined));
    } catch (err) {
      setRefused(err instanceof Error ? err.message : String(err));
      setPassword('');
      setTotp('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{hospital}</h1>
        <p className="muted">Sign in to your desk</p>
        <label>Username
          <input name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <label>One-time code <span className="muted">(only if your account uses an authenticator app)</span>
          <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,8}" value={totp} onChange={(e) => setTotp(e.target.value)} />
        </label>
        {refused && <p role="alert" className="error">{refused}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
