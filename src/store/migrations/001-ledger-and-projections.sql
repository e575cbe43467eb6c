-- The ledger is the single write path. Everything else in this file is a projection of it and can be
-- rebuilt from it (`nirantar rebuild`, and restore from the vault).

CREATE TABLE hospital (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One hash-chained ledger per hospital. `body` is the canonical JSON (RFC 8785) of the entry, exactly
-- the bytes that were hashed: hash = sha256(prev_hash || body), hex. Never updated, never deleted.
CREATE TABLE ledger_entry (
  hospital_id  text        NOT NULL REFERENCES hospital(id),
  seq          bigint      NOT NULL CHECK (seq > 0),
  recorded_at  timestamptz NOT NULL,
  body         text        NOT NULL,
  prev_hash    text        NOT NULL,
  hash         text        NOT NULL,
  PRIMARY KEY (hospital_id, seq)
);

CREATE FUNCTION nirantar_ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER ledger_entry_append_only
  BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION nirantar_ledger_is_append_only();
CREATE TRIGGER ledger_entry_no_truncate
  BEFORE TRUNCATE ON ledger_entry
  FOR EACH STATEMENT EXECUTE FUNCTION nirantar_ledger_is_append_only();

-- Every version of every resource (projection of ledger entries; vread and history read it).
CREATE TABLE resource_version (
  hospital_id    text        NOT NULL,
  resource_type  text        NOT NULL,
  id             text        NOT NULL,
  version_id     integer     NOT NULL,
  seq            bigint      NOT NULL,
  last_updated   timestamptz NOT NULL,
  deleted        boolean     NOT NULL DEFAULT false,
  method         text        NOT NULL,
  resource       jsonb,
  PRIMARY KEY (hospital_id, resource_type, id, version_id)
);
CREATE INDEX resource_version_type_time ON resource_version (hospital_id, resource_type, last_updated);
CREATE INDEX resource_version_time ON resource_version (hospital_id, last_updated);

-- The current version of each resource (projection).
CREATE TABLE resource_current (
  hospital_id    text        NOT NULL,
  resource_type  text        NOT NULL,
  id             text        NOT NULL,
  version_id     integer     NOT NULL,
  last_updated   timestamptz NOT NULL,
  deleted        boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (hospital_id, resource_type, id)
);
CREATE INDEX resource_current_type_time ON resource_current (hospital_id, resource_type, last_updated);

-- Search index (projection): one row per indexed value of a search parameter of a current,
-- non-deleted resource. `code` is the search parameter code.
--   string:    value = normalised (lower case, no diacritics), raw = as written
--   token:     system, value (code), raw = display/text
--   reference: value = 'Type/id' (or absolute URL)
--   uri:       value
--   date:      low_time .. high_time (the period the value covers)
--   number:    low_num .. high_num (the range its precision implies)
--   quantity:  low_num .. high_num, system, value = unit code
CREATE TABLE search_index (
  hospital_id    text NOT NULL,
  resource_type  text NOT NULL,
  resource_id    text NOT NULL,
  code           text NOT NULL,
  system         text,
  value          text,
  raw            text,
  low_time       timestamptz,
  high_time      timestamptz,
  low_num        numeric,
  high_num       numeric
);
CREATE INDEX search_index_resource ON search_index (hospital_id, resource_type, resource_id);
CREATE INDEX search_index_value ON search_index (hospital_id, resource_type, code, value text_pattern_ops);
CREATE INDEX search_index_time ON search_index (hospital_id, resource_type, code, low_time, high_time) WHERE low_time IS NOT NULL;
CREATE INDEX search_index_num ON search_index (hospital_id, resource_type, code, low_num, high_num) WHERE low_num IS NOT NULL;

-- Idempotency keys (X-Request-Id) already applied, with the ledger entry that applied them (projection).
CREATE TABLE request_key (
  hospital_id  text   NOT NULL,
  request_id   text   NOT NULL,
  request_hash text   NOT NULL,
  seq          bigint NOT NULL,
  PRIMARY KEY (hospital_id, request_id)
);
