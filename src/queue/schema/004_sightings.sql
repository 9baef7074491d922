-- Where each finding was seen and where it was found gone, commit by commit: findings belong to the
-- lines of history they were seen in (a drain on one branch leaves another branch's findings alone).
-- Existing rows start with their last sighting and, when resolved, where that happened.
CREATE TABLE sightings (
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  commit_id      TEXT    NOT NULL,
  present        INTEGER NOT NULL,
  PRIMARY KEY (opportunity_id, commit_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO sightings (opportunity_id, commit_id, present)
  SELECT id, commit_id, 1 FROM opportunities WHERE commit_id != '';
INSERT OR IGNORE INTO sightings (opportunity_id, commit_id, present)
  SELECT id, resolved_in, 0 FROM opportunities WHERE status = 'resolved' AND coalesce(resolved_in, '') != '';
