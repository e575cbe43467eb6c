-- Takes the hospital's chain lock and returns its head in one round trip: the writer calls this at
-- the start of every batch, and the lock is held until COMMIT.
CREATE FUNCTION nirantar_lock_ledger_head(p_hospital text, OUT seq bigint, OUT hash text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_hospital, 7243));
  SELECT e.seq, e.hash INTO seq, hash FROM ledger_entry e WHERE e.hospital_id = p_hospital ORDER BY e.seq DESC LIMIT 1;
END $$;
