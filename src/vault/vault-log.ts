/**
 * The vault's log: one line per event on stderr, `time level event key=value ...`, so an operator
 * can grep it and a log shipper can parse it. Callers pass explicit fields (sequence numbers,
 * hashes, counts, error messages they built themselves) and never an entry body: the vault holds
 * patient data, its log must not.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type VaultLog = (level: LogLevel, event: string, fields?: LogFields) => void;

export function formatLogLine(level: LogLevel, event: string, fields: LogFields = {}, now = new Date()): string {
  const parts = [now.toISOString(), 'vault', level, `event=${event}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    // Quote anything that would break the one-line key=value shape (spaces, quotes, newlines).
    parts.push(`${key}=${/^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text)}`);
  }
  return parts.join(' ');
}

export const stderrLog: VaultLog = (level, event, fields) => {
  process.stderr.write(`${formatLogLine(level, event, fields)}\n`);
};

export const silentLog: VaultLog = () => {};

/** The message of an error thrown by fetch/fs, with the system error code underneath when there is one. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const message = e?.message ?? String(err);
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}
