/**
 * A stand-in for the remote Nirantar server's replication API (R1), for the pull-loop tests until
 * the real endpoint exists: it serves entries sealed with the real chain hash, long-polls, records
 * durable reports, and can be stopped, restarted on the same port, or made to rewrite its history.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplicatedEntry } from '../../src/vault/vault-entry.js';
import { headOf, makeChain } from './vault-fixtures.js';

export class FakeReplicationServer {
  entries: ReplicatedEntry[] = [];
  /** The hospital id the server claims in /info (to play another hospital's server). */
  servedHospital: string;
  credential = 'vault-credential-for-tests';
  durableReports: Array<{ vaultId: string; seq: number; hash: string }> = [];
  requests: string[] = [];
  /** Answer the next entries request with a line that is not an entry. */
  garbageNext = false;
  private waiters: Array<() => void> = [];
  private server: http.Server | undefined;
  port = 0;

  constructor(readonly hospital = 'demo', initial = 0) {
    this.servedHospital = hospital;
    this.add(initial);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pendingPolls(): number {
    return this.waiters.length;
  }

  add(count: number): void {
    const from = this.entries.length ? headOf(this.entries) : undefined;
    this.entries.push(...makeChain(this.hospital, count, from));
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Edits entry `seq` and re-chains every entry after it, as a server rewriting its history would. */
  rewrite(seq: number): void {
    const kept = this.entries.slice(0, seq - 1);
    const changed = makeChain(this.hospital, this.entries.length - kept.length, kept.length ? headOf(kept) : undefined, 3);
    this.entries = [...kept, ...changed];
  }

  async start(port = this.port): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters.splice(0)) wake();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.credential}`) return void res.writeHead(401).end();
    const match = /^\/replication\/R1\/([^/]+)\/(info|entries|durable)$/.exec(url.pathname);
    if (!match || decodeURIComponent(match[1]) !== this.hospital) return void res.writeHead(404).end();
    if (match[2] === 'info') {
      const head = this.entries.length ? headOf(this.entries) : { seq: 0, hash: null };
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ hospital: this.servedHospital, genesisHash: this.entries[0]?.hash ?? null, headSeq: head.seq, headHash: head.hash }));
    }
    if (match[2] === 'durable') {
      let text = '';
      for await (const chunk of req) text += chunk;
      this.durableReports.push(JSON.parse(text));
      return void res.writeHead(204).end();
    }
    const after = Number(url.searchParams.get('after'));
    const limit = Number(url.searchParams.get('limit'));
    const waitMs = Math.min(Number(url.searchParams.get('waitMs')), 25_000);
    if (this.entries.length <= after && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    if (this.garbageNext) {
      this.garbageNext = false;
      return void res.end(`{"seq":${after + 1},"prev_hash":"oops","body":"${'x'.repeat(10)}"}\n`);
    }
    const batch = this.entries.filter((e) => e.seq > after).slice(0, limit);
    res.end(batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}
