/**
 * The vault's storage: a directory only the vault process writes (see DESIGN.md, promise 3).
 *
 *   vault.json                          identity, public key, retention, per-hospital bindings
 *   keys/vault-ed25519.pem              the signing key (0600), never leaves the vault
 *   <hospital>/segments/<seq>.ndjson    the entries, append-only
 *   <hospital>/checkpoints.ndjson       signed checkpoints, append-only
 *
 * Every entry is checked before it is stored: it must continue the chain the vault holds, so a
 * server that edits or rewrites its history is refused rather than copied. One process per
 * directory (a lock file); per hospital, appends, binds and checkpoints run one at a time.
 */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { acquireDataDirLock, type DataDirLock } from '../store/data-dir-lock.js';
import { checkBatch } from './batch-check.js';
import { signCheckpoint, type Checkpoint } from './checkpoint.js';
import { appendCheckpoint } from './checkpoint-file.js';
import { openHospitalState, type HospitalState } from './hospital-state.js';
import { SEGMENTS_DIR } from './segment-files.js';
import { bindHospital } from './vault-binding.js';
import { readChain } from './segment-reader.js';
import { SegmentWriter } from './segment-writer.js';
import { assertHospitalId, type HospitalBinding, type VaultConfig } from './vault-config.js';
import type { ReceivedEntry, ReplicatedEntry } from './vault-entry.js';
import { loadVaultIdentity } from './vault-init.js';
import { silentLog, type VaultLog } from './vault-log.js';

export interface VaultStoreOptions {
  /** Create the vault if the directory has none yet (default false). */
  create?: boolean;
  segmentMaxBytes?: number; // default 64 MiB
  segmentMaxEntries?: number; // default 100 000
  checkpointEveryEntries?: number; // default 1000
  checkpointEveryMs?: number; // default 10 s
  log?: VaultLog;
}

export interface VaultHead {
  seq: number;
  hash: string;
}

interface OpenHospital {
  state: HospitalState;
  writer: SegmentWriter;
}

export class VaultStore {
  private readonly opened = new Map<string, Promise<OpenHospital>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private config: VaultConfig,
    private readonly privateKey: KeyObject,
    private readonly lock: DataDirLock,
    private readonly options: Required<Omit<VaultStoreOptions, 'create'>>,
  ) {}

  static async open(dir: string, options: VaultStoreOptions = {}): Promise<VaultStore> {
    const absolute = path.resolve(dir);
    if (options.create) await fs.mkdir(absolute, { recursive: true, mode: 0o700 });
    else if (!(await fs.stat(absolute).catch(() => undefined))?.isDirectory()) throw new Error(`${absolute} is not a vault (no such directory)`);
    const log = options.log ?? silentLog;
    const lock = acquireDataDirLock(absolute);
    try {
      const { config, privateKey } = await loadVaultIdentity(absolute, options.create ?? false, log);
      return new VaultStore(absolute, config, privateKey, lock, {
        segmentMaxBytes: options.segmentMaxBytes ?? 64 * 1024 * 1024,
        segmentMaxEntries: options.segmentMaxEntries ?? 100_000,
        checkpointEveryEntries: options.checkpointEveryEntries ?? 1000,
        checkpointEveryMs: options.checkpointEveryMs ?? 10_000,
        log,
      });
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  get vaultId(): string { return this.config.vaultId; }
  get keyId(): string { return this.config.keyId; }
  get publicKey(): string { return this.config.publicKey; }
  get retentionDays(): number { return this.config.retentionDays; }

  /** The hospitals this vault is bound to, by id. */
  hospitals(): string[] {
    return Object.keys(this.config.hospitals).sort();
  }

  binding(hospital: string): HospitalBinding | undefined {
    return this.config.hospitals[hospital];
  }

  /**
   * Ties `hospital` to the chain whose entry 1 has `genesisHash`, or checks that it already is.
   * Throws VaultRefusal for a different genesis: another hospital's server, or a rewritten history.
   */
  bind(hospital: string, genesisHash: string, server: string): Promise<void> {
    assertHospitalId(hospital);
    return this.exclusive(hospital, async () => {
      const held = this.config.hospitals[hospital] ? undefined : (await this.hospital(hospital)).state.genesisHash;
      this.config = await bindHospital(this.dir, this.config, hospital, genesisHash, server, held, this.options.log);
    });
  }

  async head(hospital: string): Promise<VaultHead> {
    assertHospitalId(hospital);
    const { state } = await this.hospital(hospital);
    return { seq: state.headSeq, hash: state.headHash };
  }

  /**
   * Verifies every entry, then writes them all and fsyncs; returns the new head once durable.
   * A batch with any bad entry is refused whole (VaultRefusal naming the entry) and nothing is written.
   */
  append(hospital: string, entries: readonly ReceivedEntry[]): Promise<VaultHead> {
    return this.exclusive(hospital, async () => {
      const binding = this.config.hospitals[hospital];
      if (!binding) throw new Error(`hospital "${hospital}" is not bound in this vault; bind it to its server's genesis hash first`);
      const open = await this.hospital(hospital);
      const { lines, headSeq: seq, headHash: hash } = checkBatch(hospital, { seq: open.state.headSeq, hash: open.state.headHash }, binding.genesisHash, entries);
      if (lines.length === 0) return { seq, hash };
      try {
        await open.writer.append(open.state.headSeq + 1, lines);
      } catch (err) {
        // Part of the batch may be on disk; forget what we knew and re-read the files on next use.
        await this.forget(hospital);
        throw err;
      }
      if (open.state.headSeq === 0) open.state.genesisHash = entries[0].hash;
      open.state.headSeq = seq;
      open.state.headHash = hash;
      return { seq, hash };
    });
  }

  /** Entries after `afterSeq` up to the head at the time of the call, streamed and chain-checked. */
  async *readEntries(hospital: string, afterSeq = 0): AsyncGenerator<ReplicatedEntry> {
    const { seq } = await this.head(hospital);
    yield* readChain(this.dir, hospital, afterSeq, seq);
  }

  /** Signs and stores a checkpoint of the current head, if there is anything since the last one. */
  checkpoint(hospital: string, now = new Date()): Promise<Checkpoint | undefined> {
    return this.exclusive(hospital, async () => {
      const { state } = await this.hospital(hospital);
      if (state.headSeq === 0 || (state.lastCheckpoint?.seq ?? 0) >= state.headSeq) return undefined;
      const checkpoint = signCheckpoint({
        hospital, seq: state.headSeq, hash: state.headHash, time: now.toISOString(), vaultId: this.vaultId, keyId: this.keyId,
      }, this.privateKey);
      await appendCheckpoint(this.dir, checkpoint);
      state.lastCheckpoint = { seq: checkpoint.seq, time: now.getTime() };
      this.options.log('info', 'checkpoint', { hospital, seq: checkpoint.seq, hash: checkpoint.hash });
      return checkpoint;
    });
  }

  /** A checkpoint when N entries or T ms have passed since the last one and something is new. */
  async checkpointIfDue(hospital: string, now = new Date()): Promise<Checkpoint | undefined> {
    const { state } = await this.hospital(hospital);
    const fresh = state.headSeq - (state.lastCheckpoint?.seq ?? 0);
    if (fresh <= 0) return undefined;
    const due = fresh >= this.options.checkpointEveryEntries || now.getTime() - (state.lastCheckpoint?.time ?? 0) >= this.options.checkpointEveryMs;
    return due ? this.checkpoint(hospital, now) : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()]);
    for (const hospital of [...this.opened.keys()]) await this.forget(hospital);
    this.lock.release();
  }

  private hospital(hospital: string): Promise<OpenHospital> {
    let open = this.opened.get(hospital);
    if (!open) {
      open = openHospitalState(this.dir, hospital, this.options.log).then((state) => ({
        state,
        writer: new SegmentWriter(path.join(this.dir, hospital, SEGMENTS_DIR), { maxBytes: this.options.segmentMaxBytes, maxEntries: this.options.segmentMaxEntries }, state.current),
      }));
      open.catch(() => this.opened.delete(hospital)); // a damaged hospital is re-examined on the next call
      this.opened.set(hospital, open);
    }
    return open;
  }

  private async forget(hospital: string): Promise<void> {
    const open = this.opened.get(hospital);
    this.opened.delete(hospital);
    await open?.then((o) => o.writer.close(), () => {});
  }

  private exclusive<T>(hospital: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the vault store is closed'));
    const run = (this.queues.get(hospital) ?? Promise.resolve()).then(fn);
    this.queues.set(hospital, run.catch(() => {}));
    return run;
  }
}
