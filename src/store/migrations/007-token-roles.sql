-- Tokens carry a role of the permission table (src/security/permissions/permission-table.ts), like
-- accounts do: an API client's token opens what its role opens and nothing more. The bootstrap
-- token keeps the role 'bootstrap' (full access while it exists; `nirantar bootstrap-token
-- --revoke` turns it off). Access tokens issued to machine clients (OAuth2 client credentials) expire.
ALTER TABLE api_token ADD COLUMN role text CHECK (role IN ('registration-clerk', 'appointment-desk', 'doctor', 'nurse',
  'ward-clerk', 'lab-technician', 'pathologist', 'billing-clerk', 'admin', 'auditor', 'device', 'bootstrap'));
UPDATE api_token SET role = 'bootstrap' WHERE name = 'bootstrap' AND scope = 'fhir';
ALTER TABLE api_token ADD COLUMN expires_at timestamptz;
-- Scope for a role's ward/department rules, as on user_account.
ALTER TABLE api_token ADD COLUMN department text CHECK (length(department) BETWEEN 1 AND 64);
ALTER TABLE api_token ADD COLUMN ward text CHECK (length(ward) BETWEEN 1 AND 64);
-- An API client's name is its identity in the audit trail (token:<name>): one live token per name.
CREATE UNIQUE INDEX api_token_client_name ON api_token (hospital_id, name) WHERE name LIKE 'api:%' AND revoked_at IS NULL;
