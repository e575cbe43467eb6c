/**
 * Search at scale: loads synthetic patients (varied Indian names) and one observation each into a
 * throwaway database through searchIndexRows, then for typical searches prints the SQL that
 * search() runs, its EXPLAIN ANALYZE plan, and searches/s at the search() level (no HTTP).
 * Numbers, not pass/fail.
 *
 *   npx tsx bench/search-plans.ts [patients=100000] [--proposed] [--all-plans] [--keep]
 *
 * Measures the schema of migration 001 as it is; --proposed then applies PROPOSED_SCHEMA (the
 * statistics and index changes suggested for the schema) and measures again. --all-plans prints
 * every plan, not only those of the four typical searches. --keep leaves the database (its name is
 * printed) for further EXPLAINs.
 * The admin connection comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { connectDatabase, type Queryable } from '../src/store/database.js';
import { searchIndexRows, type Resource } from '../src/fhir/search/index-rows.js';
import { search, type SearchRequest } from '../src/fhir/search/search.js';

const args = process.argv.slice(2);
const PATIENTS = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const KEEP = args.includes('--keep');
const PROPOSED = args.includes('--proposed');
const ALL_PLANS = args.includes('--all-plans');

/** Suggested changes to migration 001 (see the search report): measured with --proposed. */
const PROPOSED_SCHEMA = [
  // code and value are strongly correlated; without this PostgreSQL multiplies their selectivities
  // and underestimates a common code (e.g. one LOINC test) by 100-1000x, then picks nested loops.
  'CREATE STATISTICS search_index_code_value (dependencies, mcv) ON resource_type, code, value FROM search_index',
  // resource_id in the value index: rows of one value come out in id order (pages stream, merge
  // joins) and criteria are answered from the index alone.
  'CREATE INDEX search_index_value_id ON search_index (hospital_id, resource_type, code, value text_pattern_ops, resource_id)',
  'DROP INDEX search_index_value',
  // code in the per-resource index: probes (other criteria, first-row test, _sort keys) read one
  // parameter's rows of a resource instead of all ~30.
  'CREATE INDEX search_index_resource_code ON search_index (hospital_id, resource_type, resource_id, code)',
  'DROP INDEX search_index_resource',
];
const ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOSPITAL = 'bench';

const GIVEN = ['Aarav', 'Aditi', 'Ananya', 'Arjun', 'Ayesha', 'Bhavna', 'Chetan', 'Deepika', 'Dev', 'Divya', 'Farhan', 'Gaurav', 'Gurpreet', 'Harsha', 'Ishaan', 'Jaya', 'Kabir', 'Kavya', 'Lakshmi', 'Manish', 'Meera', 'Mohammed', 'Nandini', 'Neha', 'Nikhil', 'Pooja', 'Pradeep', 'Priya', 'Rahul', 'Rajesh', 'Ramesh', 'Rani', 'Ravi', 'Rekha', 'Rohan', 'Sahil', 'Sanjay', 'Sarita', 'Shreya', 'Simran', 'Sita', 'Sneha', 'Sunil', 'Suresh', 'Tanvi', 'Uma', 'Varun', 'Vikram', 'Vimala', 'Yash', 'Zoya', 'Anil', 'Asha', 'Balaji', 'Chandra', 'Dinesh', 'Fatima', 'Geeta', 'Irfan', 'Jyoti', 'Karthik', 'Lalit', 'Madhu', 'Naveen', 'Omkar', 'Parvati', 'Rukmini', 'Selvi', 'Thomas', 'Venkatesh'];
const FAMILY = ['Sharma', 'Verma', 'Gupta', 'Singh', 'Kumar', 'Patel', 'Shah', 'Reddy', 'Rao', 'Naidu', 'Iyer', 'Iyengar', 'Nair', 'Menon', 'Pillai', 'Mukherjee', 'Banerjee', 'Chatterjee', 'Das', 'Bose', 'Ghosh', 'Sen', 'Khan', 'Ahmed', 'Qureshi', 'Siddiqui', 'Joshi', 'Kulkarni', 'Deshpande', 'Patil', 'Jadhav', 'Pawar', 'Yadav', 'Mishra', 'Tiwari', 'Pandey', 'Dubey', 'Chauhan', 'Rathore', 'Bhatt', 'Desai', 'Mehta', 'Agarwal', 'Jain', 'Fernandes', "D'Souza", 'Gill', 'Sandhu', 'Dhillon', 'Grewal', 'Hegde', 'Shetty', 'Gowda', 'Murthy', 'Krishnan', 'Subramanian', 'Rajan', 'Thakur', 'Saxena', 'Srivastava'];
const CITIES: Array<[string, string, string]> = [['New Delhi', 'Delhi', '110029'], ['Mumbai', 'Maharashtra', '400001'], ['Pune', 'Maharashtra', '411001'], ['Bengaluru', 'Karnataka', '560001'], ['Chennai', 'Tamil Nadu', '600001'], ['Kolkata', 'West Bengal', '700001'], ['Hyderabad', 'Telangana', '500001'], ['Lucknow', 'Uttar Pradesh', '226001'], ['Patna', 'Bihar', '800001'], ['Jaipur', 'Rajasthan', '302001']];

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];

function patient(i: number): Resource {
  const [city, state, pin] = pick(CITIES);
  const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(random() * 83 * 365.25) * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Patient', id: `p${i}`, active: true,
    identifier: [{ system: 'urn:nirantar:uhid', value: `UH${String(i).padStart(8, '0')}` }],
    name: [{ use: 'official', family: pick(FAMILY), given: random() < 0.4 ? [pick(GIVEN), pick(GIVEN)] : [pick(GIVEN)] }],
    gender: random() < 0.5 ? 'female' : 'male', birthDate: birth,
    telecom: [{ system: 'phone', value: `+91 9${String(Math.floor(random() * 1e9)).padStart(9, '0')}`, use: 'mobile' }],
    address: [{ line: [`${1 + Math.floor(random() * 300)} Main Road`], city, state, postalCode: pin, country: 'IN' }],
    managingOrganization: { reference: `Organization/org${i % 10}` },
  };
}

function observation(i: number): Resource {
  return {
    resourceType: 'Observation', id: `o${i}`, status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: pick(['2339-0', '718-7', '2160-0', '6690-2']), display: 'Lab result' }] },
    subject: { reference: `Patient/p${i}` },
    effectiveDateTime: new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 365 * 86_400_000)).toISOString(),
    valueQuantity: { value: Math.round(random() * 2000) / 10, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  };
}

async function insertBatch(db: Queryable, resources: Resource[]): Promise<void> {
  const cur = { type: [] as string[], id: [] as string[], res: [] as string[] };
  const idx: Array<unknown[]> = Array.from({ length: 10 }, () => []);
  for (const r of resources) {
    cur.type.push(r.resourceType); cur.id.push(r.id!); cur.res.push(JSON.stringify({ ...r, meta: { versionId: '1', lastUpdated: '2024-01-01T00:00:00Z' } }));
    for (const row of searchIndexRows(r)) {
      const values = [r.resourceType, r.id, row.code, row.system ?? null, row.value ?? null, row.raw ?? null, row.lowTime ?? null, row.highTime ?? null, row.lowNum ?? null, row.highNum ?? null];
      values.forEach((v, k) => idx[k].push(v));
    }
  }
  await db.query(
    `WITH v AS (INSERT INTO resource_version (hospital_id, resource_type, id, version_id, seq, last_updated, method, resource)
                SELECT $1, t, i, 1, 1, now(), 'POST', r::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) AS x(t, i, r)),
          c AS (INSERT INTO resource_current (hospital_id, resource_type, id, version_id, last_updated)
                SELECT $1, t, i, 1, now() - (random() * interval '365 days') FROM unnest($2::text[], $3::text[]) AS x(t, i))
     INSERT INTO search_index (hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num)
     SELECT $1, * FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::numeric[], $14::numeric[])`,
    [HOSPITAL, cur.type, cur.id, cur.res, ...idx],
  );
}

/** A Queryable that remembers the statements search() runs. */
function recording(db: Queryable, log: Array<{ sql: string; params: unknown[] }>): Queryable {
  return { query: (sql, params) => { log.push({ sql, params: params ?? [] }); return db.query(sql, params); } };
}

const request = (resourceType: string, query: string): SearchRequest => ({
  hospitalId: HOSPITAL, resourceType, params: [...new URLSearchParams(query)], baseUrl: 'http://localhost/fhir/R4', strict: true,
});

const CASES: Array<[string, string]> = [
  ['Patient', 'name=ra'],
  ['Patient', 'identifier=urn:nirantar:uhid|UH00054321'],
  ['Patient', 'birthdate=ge2020-06-01'],
  ['Patient', 'name=ra&_include=Patient:organization'],
  ['Patient', 'name=kav'],
  ['Patient', 'name=subram'],
  ['Patient', 'name=zzz'],
  ['Patient', 'name=sharma&_offset=500'],
  ['Patient', 'name:exact=Sharma'],
  ['Patient', 'birthdate=1985-03'],
  ['Patient', 'name=kavya&birthdate=ge1990'],
  ['Patient', 'name=ra&gender=female'],
  ['Patient', 'gender=female'],
  ['Patient', 'name=ra&birthdate=1985-03-12'],
  ['Observation', 'code=http://loinc.org|718-7'],
  ['Observation', 'code=http://loinc.org|718-7&_include=Observation:subject'],
  ['Patient', 'identifier=UH00054321&_revinclude=Observation:subject'],
  ['Observation', 'date=ge2023-12-01'],
  ['Observation', 'value-quantity=gt199.5'],
  ['Patient', 'name=sharma&_sort=-birthdate'],
  ['Patient', 'name=ra&_total=accurate'],
];
const PLANS_SHOWN = 4; // the first four: a name, a token, a date search and an _include

async function measure(db: Queryable, label: string): Promise<void> {
  console.log(`\n######## ${label}\n`);
  for (const [n, [type, query]] of CASES.entries()) {
    const log: Array<{ sql: string; params: unknown[] }> = [];
    const bundle = await search(recording(db, log), request(type, query));
    const timings: string[] = [];
    for (const { sql, params } of log) {
      let plan: string[] = [];
      for (let i = 0; i < 3; i++) plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).map((r) => r['QUERY PLAN']);
      const time = (what: string) => plan.find((l) => l.startsWith(what))?.replace(/.*: /, '') ?? '?';
      timings.push(`plan ${time('Planning Time')} + run ${time('Execution Time')}${plan.some((l) => l.startsWith('JIT')) ? ' (JIT!)' : ''}`);
      if (ALL_PLANS || n < PLANS_SHOWN) console.log(`--- ${type}?${query}\n${plan.join('\n')}\n`);
    }
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await search(db, request(type, query));
    const entries = `${bundle.entry?.length ?? 0} entries${bundle.total !== undefined ? `, total ${bundle.total}` : ''}`;
    console.log(`${`${type}?${query}`.padEnd(68)} ${entries.padEnd(22)} ${timings.join(' | ')}; search() ${((performance.now() - t0) / 20).toFixed(2)} ms`);
  }

  console.log(`\nthroughput of search() for Patient?name=<prefix> (8 connections, 8 concurrent callers, 5 s):`);
  const prefixes = ['ra', 'su', 'pri', 'an', 'sh', 'kav', 'moh', 'de', 'vi', 'na', 'ga', 'me'];
  let done = 0;
  const until = performance.now() + 5000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < until) await search(db, request('Patient', `name=${prefixes[done++ % prefixes.length]}`));
  }));
  console.log(`${(done / 5).toFixed(0)} searches/s`);
}

/** searchIndexRows per Patient after warm-up (the write path pays this on every version). */
async function measureIndexRows(): Promise<void> {
  const patients = Array.from({ length: 1000 }, (_, i) => patient(i));
  for (let i = 0; i < 20_000; i++) searchIndexRows(patients[i % 1000]);
  const t0 = performance.now();
  const rounds = 50_000;
  for (let i = 0; i < rounds; i++) searchIndexRows(patients[i % 1000]);
  console.log(`searchIndexRows: ${((performance.now() - t0) / rounds).toFixed(4)} ms per Patient (${searchIndexRows(patients[0]).length} rows)`);
}

async function main(): Promise<void> {
  const name = `nirantar_search_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const db = connectDatabase(url.toString(), { max: 8 });
  try {
    await db.query(await readFile(new URL('../src/store/migrations/001-ledger-and-projections.sql', import.meta.url), 'utf8'));
    const t0 = performance.now();
    await insertBatch(db, Array.from({ length: 10 }, (_, i) => ({ resourceType: 'Organization', id: `org${i}`, name: `Hospital ${i}` })));
    for (let i = 0; i < PATIENTS; i += 2000) {
      const n = Math.min(2000, PATIENTS - i);
      await insertBatch(db, Array.from({ length: n }, (_, k) => patient(i + k)));
      await insertBatch(db, Array.from({ length: n }, (_, k) => observation(i + k)));
    }
    // A second hospital, so every plan has to filter by tenant.
    await db.query(`INSERT INTO resource_current SELECT 'other', resource_type, id, version_id, last_updated, deleted FROM resource_current WHERE hospital_id = $1 AND resource_type = 'Patient' AND id LIKE 'p1%'`, [HOSPITAL]);
    await db.query('VACUUM ANALYZE');
    const [{ rows }] = await db.query<{ rows: number }>('SELECT count(*) AS rows FROM search_index');
    console.log(`loaded ${PATIENTS} patients + ${PATIENTS} observations (${rows} index rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${name}\n`);

    await measureIndexRows();
    await measure(db, 'schema of migration 001');
    if (PROPOSED) {
      const t1 = performance.now();
      for (const sql of PROPOSED_SCHEMA) await db.query(sql);
      await db.query('VACUUM ANALYZE search_index');
      console.log(`\nproposed schema applied in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      await measure(db, 'proposed schema');
    }
  } finally {
    await db.close();
    if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else console.log(`kept database ${name}`);
    await admin.end();
  }
}

await main();
