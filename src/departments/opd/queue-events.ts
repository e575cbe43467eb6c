/**
 * Queue changes inside the process: the OPD routes announce a change of a department's queue, the
 * SSE route of each open board listens. One API process serves a database, so this is enough.
 */
import { EventEmitter } from 'node:events';

export class QueueEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  changed(hospitalId: string, department: string): void {
    this.emitter.emit(`${hospitalId}|${department}`);
  }

  /** Calls `listener` on each change of the department's queue; returns the unsubscribe. */
  subscribe(hospitalId: string, department: string, listener: () => void): () => void {
    const key = `${hospitalId}|${department}`;
    this.emitter.on(key, listener);
    return () => this.emitter.off(key, listener);
  }
}
