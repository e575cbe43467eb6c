-- The audit trail's read side (issue 3, audit of every access). The access records themselves live in
-- the ledger (entries with interaction 'audit'; each is rendered as a FHIR AuditEvent when read), chained and vaulted like every write and never
-- deleted, so retention is the ledger's: unlimited. These tables are a projection of those entries,
-- rebuilt by `nirantar rebuild` and by restore, and shaped for the forensic questions: who did what
-- when, who opened this patient, what came from this address. The rows are derived from the events
-- in one place (src/audit/audit-projection.ts).

CREATE TABLE audit_event (
  hospital_id    text        NOT NULL,
  id             text        NOT NULL,
  -- The ledger entry that holds the event.
  seq            bigint      NOT NULL,
  recorded       timestamptz NOT NULL,
  principal      text        NOT NULL,
  role           text,
  action         text        NOT NULL,
  -- The restful-interaction code (read, search-type …) or the DICOM login/logout subtype.
  interaction    text,
  outcome        text        NOT NULL,
  -- Null when the client's address is not an IP address.
  source_ip      inet,
  purpose        text,
  resource_type  text,
  resource_id    text,
  patients       text[]      NOT NULL DEFAULT '{}',
  -- The access record as in the ledger (src/audit/access-record.ts AuditRecord).
  record         jsonb       NOT NULL,
  PRIMARY KEY (hospital_id, id)
);
CREATE INDEX audit_event_time ON audit_event (hospital_id, recorded, id);
CREATE INDEX audit_event_principal_time ON audit_event (hospital_id, principal, recorded);
CREATE INDEX audit_event_source_ip_time ON audit_event (hospital_id, source_ip, recorded) WHERE source_ip IS NOT NULL;
CREATE INDEX audit_event_resource_time ON audit_event (hospital_id, resource_type, resource_id, recorded);

-- One row per patient an event concerns (a search that returned 50 patients: 50 rows), so that
-- "everyone who opened this patient's record, in this window" is one index range.
CREATE TABLE audit_event_patient (
  hospital_id  text        NOT NULL,
  patient      text        NOT NULL,
  recorded     timestamptz NOT NULL,
  event_id     text        NOT NULL,
  PRIMARY KEY (hospital_id, patient, recorded, event_id)
);

-- text -> inet, or null for anything PostgreSQL does not read as an address (a host name, an IPv6
-- zone id). PostgreSQL 15 has no pg_input_is_valid, hence the exception block.
CREATE FUNCTION nirantar_inet_or_null(p_address text) RETURNS inet
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN p_address::inet;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END $$;
