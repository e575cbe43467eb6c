/**
 * UHIDs the server issues itself, for a registration that arrives without one: the server is a desk
 * like any other and takes blocks for itself (desk `server`), handing out their serials in order. A
 * serial taken by a request that then fails is simply never used: gaps are harmless, collisions are
 * not. Several server processes each hold their own block, so they never collide either.
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { issueUhidBlock } from './uhid-blocks.js';

export const SERVER_DESK = 'server';
const SERVER_BLOCK_SIZE = 200;

interface Held { next: number; last: number }

export class ServerUhids {
  private readonly held = new Map<string, Held>();
  private readonly refilling = new Map<string, Promise<void>>();

  constructor(private readonly repo: FhirRepository, private readonly blockSize = SERVER_BLOCK_SIZE) {}

  /** The next serial for `hospitalId`, taking a new block when the held one is used up. */
  async next(hospitalId: string): Promise<number> {
    for (;;) {
      const block = this.held.get(hospitalId);
      // Taken synchronously: no other request can get between the test and the increment.
      if (block && block.next <= block.last) return block.next++;
      await this.refill(hospitalId);
    }
  }

  /** One new block per hospital at a time, however many requests are waiting for it. */
  private refill(hospitalId: string): Promise<void> {
    let pending = this.refilling.get(hospitalId);
    if (!pending) {
      const ctx = { hospitalId, actor: 'system:registration', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
      pending = issueUhidBlock(this.repo, ctx, SERVER_DESK, this.blockSize)
        .then((b) => { this.held.set(hospitalId, { next: b.firstSerial, last: b.lastSerial }); })
        .finally(() => this.refilling.delete(hospitalId));
      this.refilling.set(hospitalId, pending);
    }
    return pending;
  }
}
