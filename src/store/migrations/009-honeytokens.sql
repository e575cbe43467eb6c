-- Honeytoken (decoy) records (issue 3, part 5): ordinary ledgered resources, usually Patients, that
-- no real workflow touches, so any read or search that returns one raises an alert.
--
-- Which records are decoys is kept here and not in the ledger: the ledger is pulled by the vault and
-- restored from it, and anyone holding a copy must not be able to tell the decoys from real
-- patients. The decoy resources themselves are ledgered like every other record.
-- Rows are managed by `nirantar honeytoken` with the owner's connection; the application only reads
-- them (src/store/app-role.ts), so a compromised API server cannot quietly unmark its tripwires.
CREATE TABLE honeytoken (
  hospital_id   text        NOT NULL REFERENCES hospital(id),
  resource_type text        NOT NULL CHECK (resource_type ~ '^[A-Z][A-Za-z]{1,63}$'),
  resource_id   text        NOT NULL CHECK (resource_id ~ '^[A-Za-z0-9.-]{1,64}$'),
  -- For the people who set it up ("ICU decoy, planted 2025-03"); never shown to API clients.
  label         text        NOT NULL DEFAULT '' CHECK (length(label) <= 200),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hospital_id, resource_type, resource_id)
);
