/**
 * A throwaway database with the 001 schema for one search test file, and a way to put resources
 * into it the way the projection does (resource_version + resource_current + search_index from
 * searchIndexRows), without the ledger.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { connectDatabase, type Database } from '../../../src/store/database.js';
import { searchIndexRows, type Resource } from '../../../src/fhir/search/index-rows.js';
import { search } from '../../../src/fhir/search/search.js';
import type { Bundle } from '../../../src/fhir/search/search-bundle.js';

export const HOSPITAL = 'h1';
export const BASE_URL = 'http://test.local/fhir/R4';

const MIGRATION = new URL('../../../src/store/migrations/001-ledger-and-projections.sql', import.meta.url);

function adminUrl(): string {
  return process.env.NIRANTAR_TEST_ADMIN_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface InsertOptions {
  hospitalId?: string;
  lastUpdated?: string;
  deleted?: boolean;
}

export interface SearchTestDb {
  db: Database;
  insert(resource: Resource, options?: InsertOptions): Promise<void>;
  insertAll(resources: Resource[], options?: InsertOptions): Promise<void>;
  /** Runs a search (lenient unless told) in HOSPITAL. */
  find(resourceType: string, query: string, options?: { strict?: boolean; hospitalId?: string }): Promise<Bundle>;
  /** The ids of the matches (search.mode = match), in bundle order. */
  ids(resourceType: string, query: string, options?: { strict?: boolean; hospitalId?: string }): Promise<string[]>;
  drop(): Promise<void>;
}

export async function createSearchTestDb(): Promise<SearchTestDb> {
  const name = `nirantar_search_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const db = connectDatabase(databaseUrl(name), { max: 4 });
  await db.query(await readFile(MIGRATION, 'utf8'));
  let seq = 0;
  let clock = Date.parse('2024-01-01T00:00:00Z');

  const insert = async (resource: Resource, options: InsertOptions = {}) => {
    const hospital = options.hospitalId ?? HOSPITAL;
    const id = resource.id!;
    const lastUpdated = options.lastUpdated ?? new Date((clock += 1000)).toISOString();
    await db.transaction(async (tx) => {
      const [{ version }] = await tx.query<{ version: number }>(
        'SELECT coalesce(max(version_id), 0) + 1 AS version FROM resource_version WHERE hospital_id = $1 AND resource_type = $2 AND id = $3',
        [hospital, resource.resourceType, id],
      );
      const stored = { ...resource, meta: { ...(resource.meta as object), versionId: String(version), lastUpdated } };
      await tx.query(
        `INSERT INTO resource_version (hospital_id, resource_type, id, version_id, seq, last_updated, deleted, method, resource)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [hospital, resource.resourceType, id, version, ++seq, lastUpdated, options.deleted ?? false, options.deleted ? 'DELETE' : 'PUT', options.deleted ? null : stored],
      );
      await tx.query(
        `INSERT INTO resource_current (hospital_id, resource_type, id, version_id, last_updated, deleted) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (hospital_id, resource_type, id) DO UPDATE SET version_id = EXCLUDED.version_id, last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted`,
        [hospital, resource.resourceType, id, version, lastUpdated, options.deleted ?? false],
      );
      await tx.query('DELETE FROM search_index WHERE hospital_id = $1 AND resource_type = $2 AND resource_id = $3', [hospital, resource.resourceType, id]);
      if (options.deleted) return;
      const rows = searchIndexRows(stored);
      await tx.query(
        `INSERT INTO search_index (hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num)
         SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::numeric[], $11::numeric[])`,
        [
          hospital, resource.resourceType, id,
          rows.map((r) => r.code), rows.map((r) => r.system ?? null), rows.map((r) => r.value ?? null), rows.map((r) => r.raw ?? null),
          rows.map((r) => r.lowTime ?? null), rows.map((r) => r.highTime ?? null),
          rows.map((r) => (r.lowNum == null ? null : String(r.lowNum))), rows.map((r) => (r.highNum == null ? null : String(r.highNum))),
        ],
      );
    });
  };

  const find = (resourceType: string, query: string, options: { strict?: boolean; hospitalId?: string } = {}) =>
    search(db, {
      hospitalId: options.hospitalId ?? HOSPITAL,
      resourceType,
      params: [...new URLSearchParams(query)],
      baseUrl: BASE_URL,
      strict: options.strict ?? false,
    });

  return {
    db,
    insert,
    async insertAll(resources, options) {
      for (const r of resources) await insert(r, options);
    },
    find,
    async ids(resourceType, query, options) {
      const bundle = await find(resourceType, query, options);
      return (bundle.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => String(e.resource.id));
    },
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Sorted copy, for comparing match sets regardless of order. */
export function sorted(ids: string[]): string[] {
  return [...ids].sort();
}
