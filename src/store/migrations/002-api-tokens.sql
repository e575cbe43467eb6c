-- Bearer tokens for API clients. Only a SHA-256 of each token is stored: a stolen database
-- does not give anyone a working token.
CREATE TABLE api_token (
  token_hash  text PRIMARY KEY,
  hospital_id text NOT NULL REFERENCES hospital(id),
  name        text NOT NULL,
  principal   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
