-- The drain and review: cycle plans (for crash recovery), per-attempt branch and verdicts.
ALTER TABLE cycles ADD COLUMN branch TEXT NOT NULL DEFAULT '';
ALTER TABLE cycles ADD COLUMN planned_tip TEXT;
ALTER TABLE cycles ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE cycles ADD COLUMN detail TEXT;
ALTER TABLE attempts ADD COLUMN branch TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN risk REAL NOT NULL DEFAULT 0;
CREATE INDEX attempts_side_commit ON attempts(side_commit);
CREATE TABLE verdicts (
  id             INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  verdict        TEXT    NOT NULL,
  reason         TEXT,
  commit_id      TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX verdicts_opportunity ON verdicts(opportunity_id);
