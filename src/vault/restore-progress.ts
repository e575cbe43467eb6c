/**
 * The restore's progress on stderr: phase, a bar, entries done/total, entries/s and resource
 * versions/s, and the time left in the phase. On a terminal one line redrawn at most 4 times a
 * second; otherwise (a log file, a CI job) a plain line every few seconds and at each phase change.
 * Counts only: no ids, no content.
 */
export type RestorePhase = 'verify vault' | 'load' | 'build indexes' | 'verify';

export interface RestoreProgress {
  phase: RestorePhase;
  hospital: string;
  /** Entries (load), indexes (build indexes); 0/0 for a phase without counts. */
  done: number;
  total: number;
  /** Resource versions handled so far in this phase. */
  versions: number;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressLine {
  update(p: RestoreProgress): void;
  /** Draws the last state and ends the line. */
  finish(): void;
}

export function progressLine(out: ProgressOutput = process.stderr, options: { ttyMs?: number; plainMs?: number } = {}): ProgressLine {
  const tty = Boolean(out.isTTY);
  const every = tty ? options.ttyMs ?? 250 : options.plainMs ?? 5000;
  let phaseKey = '';
  let phaseStart = Date.now();
  let lastDraw = 0;
  let last: RestoreProgress | undefined;
  let open = false;
  const draw = (p: RestoreProgress) => {
    const text = describe(p, (Date.now() - phaseStart) / 1000);
    if (tty) {
      out.write(`\r\x1b[K${text.slice(0, Math.max(20, (out.columns ?? 120) - 1))}`);
      open = true;
    } else {
      out.write(`${text}\n`);
    }
    lastDraw = Date.now();
  };
  return {
    update(p) {
      const key = `${p.phase}\u0000${p.hospital}`;
      if (key !== phaseKey) {
        if (last) draw(last); // the previous phase's final figures stay on screen
        if (tty && open) out.write('\n');
        phaseKey = key;
        phaseStart = Date.now();
        last = p;
        draw(p);
        return;
      }
      last = p;
      if (Date.now() - lastDraw >= every) draw(p);
    },
    finish() {
      if (last) draw(last);
      if (tty && open) out.write('\n');
      open = false;
      last = undefined;
      phaseKey = '';
    },
  };
}

export function describe(p: RestoreProgress, seconds: number): string {
  const head = `${p.phase} ${p.hospital}`;
  if (p.total === 0) return `${head}  ${formatDuration(seconds)}`;
  const fraction = Math.min(1, p.done / p.total);
  const width = 24;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const unit = p.phase === 'build indexes' ? 'indexes' : 'entries';
  const rate = seconds > 0 ? p.done / seconds : 0;
  const parts = [`${head}  ${bar} ${p.done}/${p.total} ${unit}`];
  if (unit === 'entries') parts.push(`${Math.round(rate)} entries/s`, `${Math.round(seconds > 0 ? p.versions / seconds : 0)} versions/s`);
  const left = rate > 0 ? (p.total - p.done) / rate : undefined;
  parts.push(fraction >= 1 ? `done in ${formatDuration(seconds)}` : left === undefined ? 'ETA …' : `ETA ${formatDuration(left)}`);
  return parts.join('  ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
