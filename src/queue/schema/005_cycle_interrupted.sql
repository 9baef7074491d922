-- A cycle that ended without finishing its work (a signal, or a kill the next drain recovered)
-- says why: NULL for a cycle that ran to its end.
ALTER TABLE cycles ADD COLUMN interrupted TEXT;
