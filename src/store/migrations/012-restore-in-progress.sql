-- A restore in progress, per hospital (issue 4). A restore writes in steps that commit one by one (the
-- ledger in chunks, then the projection), so a restore that was killed or failed leaves a database
-- that looks usable and is not: part of the ledger, or current state without its search index. The
-- row is written before the first of those steps and removed only after the restored database was
-- verified; while it is there the server refuses to start on this database. Serving it would append
-- new entries to a partial ledger, a history the vault does not hold, and no restore could then
-- continue it.
--
-- Only the owner (the restore command) writes it; the application role has no privilege on it, so a
-- stolen application credential cannot clear it.
CREATE TABLE restore_in_progress (
  hospital_id  text        PRIMARY KEY REFERENCES hospital(id),
  started_at   timestamptz NOT NULL DEFAULT now(),
  -- The vault's head this restore is loading up to.
  vault_seq    bigint      NOT NULL
);
