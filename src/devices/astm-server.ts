/**
 * TCP listener for ASTM analyzers (LIS1-A over TCP/IP: the same byte protocol as over RS-232, one
 * session per connection). Analyzers keep their connection open for days, so there is no idle timeout
 * by default; TCP keep-alive notices a dead peer. A socket error ends that session only.
 */
import net from 'node:net';
import { AstmSession, type AstmSessionOptions, type AstmSessionStats } from './astm-session.js';
import { silentLogger } from './device-log.js';

export interface AstmServerOptions extends Omit<AstmSessionOptions, 'peer'> {
  /** Close a connection after this long without traffic (0 = never, the default). */
  readonly idleTimeoutMs?: number;
}

export interface AstmServer {
  listen(port: number, host?: string): Promise<net.AddressInfo>;
  close(): Promise<void>;
  /** Totals over every session so far. */
  readonly stats: AstmSessionStats & { connections: number };
}

export function createAstmServer(options: AstmServerOptions): AstmServer {
  const log = options.log ?? silentLogger;
  const stats = { connections: 0, frames: 0, acks: 0, naks: 0, messages: 0, incomplete: 0, results: 0, sent: 0 };
  const live = new Map<net.Socket, AstmSession>();
  const server = net.createServer((socket) => {
    stats.connections++;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const session = new AstmSession((b) => { if (!socket.destroyed) socket.write(b); }, { ...options, peer });
    live.set(socket, session);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    if (options.idleTimeoutMs) {
      socket.setTimeout(options.idleTimeoutMs);
      socket.on('timeout', () => { log({ level: 'info', event: 'astm.idle_close', peer }); socket.destroy(); });
    }
    socket.on('data', (data) => { void session.push(data); });
    socket.on('error', (err) => log({ level: 'warn', event: 'astm.socket.error', peer, error: err.message }));
    socket.on('close', () => {
      live.delete(socket);
      void session.close().then(() => {
        for (const k of Object.keys(session.stats) as (keyof AstmSessionStats)[]) stats[k] += session.stats[k];
      });
    });
  });
  server.on('error', (err) => log({ level: 'error', event: 'astm.server.error', error: err.message }));

  return {
    get stats() {
      const total = { ...stats };
      for (const s of live.values()) for (const k of Object.keys(s.stats) as (keyof AstmSessionStats)[]) total[k] += s.stats[k];
      return total;
    },
    listen: (port, host = '127.0.0.1') => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(server.address() as net.AddressInfo); });
    }),
    close: () => new Promise((resolve) => {
      for (const s of live.keys()) s.destroy();
      server.close(() => resolve());
    }),
  };
}
