-- Local accounts and browser sessions (issue 3, logins).
--
-- Neither table is part of the ledger: a password hash or a TOTP secret must never enter an
-- append-only, vaulted history that can never forget it. Times come from the application's clock
-- (not now()), so the lockout and session rules are the same code in tests and in production.

CREATE TABLE user_account (
  hospital_id          text        NOT NULL REFERENCES hospital(id),
  id                   uuid        NOT NULL,
  -- Lower case, checked here too so no code path can store 'Asha' beside 'asha'.
  username             text        NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
  display_name         text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role                 text        NOT NULL CHECK (role IN ('registration-clerk', 'appointment-desk', 'doctor', 'nurse',
                         'ward-clerk', 'lab-technician', 'pathologist', 'billing-clerk', 'admin', 'auditor', 'device')),
  -- Scope for the permission table (a ward nurse sees her ward's inpatients): Location/Organization ids.
  department           text        CHECK (length(department) BETWEEN 1 AND 64),
  ward                 text        CHECK (length(ward) BETWEEN 1 AND 64),
  practitioner_ref     text        CHECK (practitioner_ref ~ '^Practitioner/[A-Za-z0-9.-]{1,64}$'),
  -- argon2id in PHC format ($argon2id$v=19$m=...,t=...,p=...$salt$hash): salt and parameters included.
  password_hash        text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  -- Set for every account an admin creates or resets: the admin knew that password.
  must_change_password boolean     NOT NULL DEFAULT true,
  -- AES-256-GCM sealed with a key kept outside the database (src/security/accounts/secret-box.ts).
  totp_secret          text,
  totp_enabled         boolean     NOT NULL DEFAULT false,
  -- The last TOTP step accepted: a code is never accepted twice.
  totp_last_step       bigint,
  failed_attempts      integer     NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until         timestamptz,
  disabled_at          timestamptz,
  last_login_at        timestamptz,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (hospital_id, id),
  UNIQUE (hospital_id, username),
  CHECK (NOT totp_enabled OR totp_secret IS NOT NULL)
);

-- One row per sign-in. The cookie holds a random id; only its SHA-256 is stored, so a database copy
-- holds no working session. Rows are revoked or expire, never deleted by the application: they are
-- also the record of who signed in from where and when.
CREATE TABLE user_session (
  session_hash  text        PRIMARY KEY CHECK (session_hash ~ '^[0-9a-f]{64}$'),
  hospital_id   text        NOT NULL,
  user_id       uuid        NOT NULL,
  -- 'full', or a session that may only finish a forced step (change password, enrol TOTP).
  stage         text        NOT NULL CHECK (stage IN ('full', 'password-change', 'totp-enrolment')),
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  user_agent    text        CHECK (length(user_agent) <= 300),
  source_ip     inet,
  revoked_at    timestamptz,
  FOREIGN KEY (hospital_id, user_id) REFERENCES user_account (hospital_id, id)
);
CREATE INDEX user_session_user ON user_session (hospital_id, user_id) WHERE revoked_at IS NULL;
