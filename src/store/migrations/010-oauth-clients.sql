-- Machine clients (the device gateway, a vault, an integration) that obtain short-lived access tokens
-- with the OAuth 2.0 client credentials grant (RFC 6749 §4.4) at POST /oauth/token. Each access token
-- issued is an api_token row (SHA-256 only, with role, scope and expires_at), so the API verifies it
-- like any bearer token.
--
-- Not in the ledger: a secret's hash must never enter an append-only, vaulted history.
-- Clients are added and disabled by `nirantar client` with the owner's connection; the application
-- only reads them (src/store/app-role.ts). Failed authentications are throttled in the API process's
-- memory per client and source address (src/security/oauth/client-throttle.ts), not counted here: a
-- lock stored on the client would let anyone who knows a client id lock the lab's analyzers out.
CREATE TABLE oauth_client (
  hospital_id     text        NOT NULL REFERENCES hospital(id),
  client_id       text        NOT NULL CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{2,99}$'),
  -- argon2id in PHC format (src/security/accounts/password-hash.ts), salt and parameters included.
  secret_hash     text        NOT NULL CHECK (secret_hash LIKE '$argon2id$%'),
  name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The permission table's role for an API client ('fhir'); none for a ledger puller ('replication'),
  -- whose tokens open the replication feed and nothing else. Never 'bootstrap'.
  role            text        CHECK (role IN ('registration-clerk', 'appointment-desk', 'doctor', 'nurse',
                    'ward-clerk', 'lab-technician', 'pathologist', 'billing-clerk', 'admin', 'auditor', 'device')),
  scope           text        NOT NULL DEFAULT 'fhir' CHECK (scope IN ('fhir', 'replication')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz,
  PRIMARY KEY (hospital_id, client_id),
  CHECK ((scope = 'fhir') = (role IS NOT NULL))
);
