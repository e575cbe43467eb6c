-- What a token may be used for: 'fhir' (the API) or 'replication' (a vault pulling the ledger).
-- A vault's credential can read the ledger and nothing else; an API token cannot pull the ledger.
ALTER TABLE api_token ADD COLUMN scope text NOT NULL DEFAULT 'fhir' CHECK (scope IN ('fhir', 'replication'));
