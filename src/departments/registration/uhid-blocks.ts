/**
 * Blocks of UHID serials issued to desks. A desk asks for a block while it is online and numbers new
 * patients from it, online or not. Each block is a FHIR Basic resource in the ledger (id
 * `uhid-block-<first serial>`), so the vault keeps it and a restore brings it back: a restored
 * server never hands out a UHID a patient or a desk's outbox already holds.
 *
 * The next block starts after the last one, decided inside the ledger writer's plan, which runs
 * under the hospital's chain lock: however many desks ask at once, the ranges never overlap.
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { allByIdPrefix, lastByIdPrefix } from '../../fhir/repository/id-prefix.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planCreate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { LedgerEntryBody } from '../../store/ledger-entry.js';
import type { Queryable } from '../../store/database.js';
import { FIRST_SERIAL, SERIAL_LIMIT, uhidOf } from './uhid.js';

export const DEFAULT_BLOCK_SIZE = 200;
export const MAX_BLOCK_SIZE = 2000;
export const DESK_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

const ID_PREFIX = 'uhid-block-';
const BLOCK_CODE = { system: 'https://nirantar.health/fhir/CodeSystem/registration', code: 'uhid-block', display: 'Block of UHIDs issued to a desk' };
const EXTENSION = {
  desk: 'https://nirantar.health/fhir/StructureDefinition/uhid-block-desk',
  first: 'https://nirantar.health/fhir/StructureDefinition/uhid-block-first-serial',
  last: 'https://nirantar.health/fhir/StructureDefinition/uhid-block-last-serial',
};

export interface UhidBlock {
  blockId: string;
  desk: string;
  /** The first and last UHID of the block, as printed. */
  first: string;
  last: string;
  firstSerial: number;
  lastSerial: number;
  issuedAt: string;
  issuedTo: string;
}

/** Serials are 11 digits (FIRST_SERIAL = 10^10), so ids in code-unit order are blocks in serial order. */
function blockId(firstSerial: number): string {
  return `${ID_PREFIX}${firstSerial}`;
}

function extension(resource: FhirResource, url: string): string {
  const found = (resource.extension as Array<{ url: string; valueString?: string }> | undefined)?.find((e) => e.url === url);
  return found?.valueString ?? '';
}

function blockOf(resource: FhirResource): UhidBlock {
  const firstSerial = Number(extension(resource, EXTENSION.first));
  const lastSerial = Number(extension(resource, EXTENSION.last));
  return {
    blockId: resource.id as string, desk: extension(resource, EXTENSION.desk), first: uhidOf(firstSerial), last: uhidOf(lastSerial), firstSerial, lastSerial,
    issuedAt: String(resource.created ?? (resource.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? ''),
    issuedTo: String((resource.author as { display?: string } | undefined)?.display ?? ''),
  };
}

/** Issues the next `size` serials of the hospital to `desk`, as a ledger entry of the one who asked. */
export async function issueUhidBlock(repo: FhirRepository, ctx: RequestContext, desk: string, size: number): Promise<UhidBlock> {
  const block = await repo.writer.append<FhirResource>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const last = await lastByIdPrefix(tx, ctx.hospitalId, 'Basic', ID_PREFIX);
      const first = last ? blockOf(last).lastSerial + 1 : FIRST_SERIAL;
      if (first + size > SERIAL_LIMIT) throw new FhirError(409, issue('business-rule', 'the UHID numbers of this hospital are used up'));
      const resource = validated({
        resourceType: 'Basic', id: blockId(first), code: { coding: [BLOCK_CODE], text: `UHIDs ${uhidOf(first)} to ${uhidOf(first + size - 1)} for desk ${desk}` },
        created: time.slice(0, 10), author: { display: ctx.actor },
        extension: [
          { url: EXTENSION.desk, valueString: desk },
          { url: EXTENSION.first, valueString: String(first) },
          { url: EXTENSION.last, valueString: String(first + size - 1) },
        ],
      }, 'Basic');
      const planned = planCreate(resource, time, resource.id);
      return { interaction: 'create', versions: [planned.version], responses: [{ status: 201 }], result: planned.version.resource as FhirResource };
    },
    // The desk asked again with the same X-Request-Id (a retry after a lost answer): the same block.
    replay: async (_tx, entry: LedgerEntryBody) => {
      const written = entry.versions[0]?.resource as FhirResource | undefined;
      if (entry.requestHash !== ctx.requestHash || !written || written.resourceType !== 'Basic') {
        throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`));
      }
      return written;
    },
  });
  return blockOf(block);
}

/** The blocks issued in the hospital, to one desk or all, oldest first. */
export async function listUhidBlocks(db: Queryable, hospitalId: string, desk?: string): Promise<UhidBlock[]> {
  const blocks = (await allByIdPrefix(db, hospitalId, 'Basic', ID_PREFIX)).map(blockOf);
  return desk === undefined ? blocks : blocks.filter((b) => b.desk === desk);
}

/** True when `serial` lies in a block that was issued in the hospital. */
export async function wasIssued(db: Queryable, hospitalId: string, serial: number): Promise<boolean> {
  const block = await lastByIdPrefix(db, hospitalId, 'Basic', ID_PREFIX, blockId(serial));
  return block !== undefined && blockOf(block).lastSerial >= serial;
}
