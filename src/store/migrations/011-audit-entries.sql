-- The audit trail's read side, indexed by ledger entry instead of by event (issue 3).
--
-- Migration 008 projected every access record into an audit_event row with five indexes and a second
-- copy of the record, plus one audit_event_patient row per patient: about 90 µs of PostgreSQL time
-- per API call and three times the trail's size on disk, for data the ledger already holds. Now each
-- ledger entry of access records gets one audit_entry row that says what is in it: its time span and
-- the distinct ids, principals, addresses, patients and resources of its events. A forensic question
-- finds the entries that can hold an answer through these columns' indexes, then reads the events
-- out of those entries' ledger bodies (src/audit/audit-query.ts). The audit trail writes one entry
-- per principal and batch, so "everything this user did" reads that user's entries only.

DROP TABLE audit_event_patient;
DROP TABLE audit_event;

CREATE TABLE audit_entry (
  hospital_id     text        NOT NULL,
  -- The ledger entry whose body holds the events.
  seq             bigint      NOT NULL,
  -- The earliest and latest event time in the entry.
  first_recorded  timestamptz NOT NULL,
  last_recorded   timestamptz NOT NULL,
  events          integer     NOT NULL,
  -- The AuditEvent ids of the entry's events.
  ids             text[]      NOT NULL,
  principals      text[]      NOT NULL,
  -- The events' client addresses that are IP addresses.
  source_ips      inet[]      NOT NULL,
  -- 'Patient/<id>' of every patient an event concerns.
  patients        text[]      NOT NULL,
  -- 'Type/id' of every resource an event addressed.
  resources       text[]      NOT NULL,
  PRIMARY KEY (hospital_id, seq)
);
-- Newest first (the API's default order) walks entries by their last event; oldest first by their first.
CREATE INDEX audit_entry_last ON audit_entry (hospital_id, last_recorded, seq);
CREATE INDEX audit_entry_first ON audit_entry (hospital_id, first_recorded, seq);
CREATE INDEX audit_entry_keys ON audit_entry USING gin (ids, principals, patients, resources, source_ips);

-- The audit_entry rows of ledger entries already in the database (rebuild, restore, this migration).
-- The audit trail computes the same row in src/audit/audit-projection.ts as it writes an entry;
-- test/audit/audit-projection.test.ts holds the two to equality. Arrays are sorted (C collation) and
-- without duplicates.
CREATE FUNCTION nirantar_project_audit_entries(p_hospital text, p_seqs bigint[]) RETURNS void
LANGUAGE sql AS $$
  WITH event AS MATERIALIZED (
    SELECT l.seq, e.r
      FROM ledger_entry l, jsonb_array_elements(l.body::jsonb->'audit') AS e(r)
     WHERE l.hospital_id = p_hospital AND l.seq = ANY(p_seqs)
  ), patient AS (
    SELECT v.seq, array_agg(DISTINCT p COLLATE "C") AS patients
      FROM event v, jsonb_array_elements_text(v.r->'patients') AS p
     WHERE jsonb_typeof(v.r->'patients') = 'array'
     GROUP BY v.seq
  ), address AS (
    SELECT v.seq, array_agg(DISTINCT a) AS source_ips
      FROM event v, nirantar_inet_or_null(v.r->>'sourceIp') AS a
     WHERE a IS NOT NULL
     GROUP BY v.seq
  ), entry AS (
    SELECT v.seq, min((v.r->>'time')::timestamptz) AS first_recorded, max((v.r->>'time')::timestamptz) AS last_recorded,
           count(*)::integer AS events,
           coalesce(array_agg(DISTINCT v.r->>'id' COLLATE "C") FILTER (WHERE jsonb_typeof(v.r->'id') = 'string'), '{}') AS ids,
           coalesce(array_agg(DISTINCT v.r->>'principal' COLLATE "C") FILTER (WHERE jsonb_typeof(v.r->'principal') = 'string'), '{}') AS principals,
           coalesce(array_agg(DISTINCT ((v.r->>'resourceType') || '/' || (v.r->>'resourceId')) COLLATE "C")
                      FILTER (WHERE v.r ? 'resourceType' AND v.r ? 'resourceId'), '{}') AS resources
      FROM event v
     GROUP BY v.seq
  )
  INSERT INTO audit_entry (hospital_id, seq, first_recorded, last_recorded, events, ids, principals, source_ips, patients, resources)
  SELECT p_hospital, x.seq, x.first_recorded, x.last_recorded, x.events, x.ids, x.principals,
         coalesce(a.source_ips, '{}'), coalesce(p.patients, '{}'), x.resources
    FROM entry x LEFT JOIN address a USING (seq) LEFT JOIN patient p USING (seq)
$$;

SELECT nirantar_project_audit_entries(h.id, ARRAY(SELECT l.seq FROM ledger_entry l WHERE l.hospital_id = h.id AND l.body::jsonb ? 'audit'))
  FROM hospital h;
