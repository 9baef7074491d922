-- Learning and metrics. rule_stats keeps each rule's learnt state and when its numbers were
-- last reset (the counts themselves are derived from attempts and verdicts); strategy changes,
-- complexity regressions/improvements and coverage are recorded per event and per commit.
ALTER TABLE rule_stats ADD COLUMN reset_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rule_stats ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE strategy_changes (
  id         INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  subject    TEXT    NOT NULL,
  old_value  REAL,
  new_value  REAL,
  reason     TEXT    NOT NULL
);
CREATE TABLE metric_events (
  id         INTEGER PRIMARY KEY,
  commit_id  TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  path       TEXT    NOT NULL,
  name       TEXT    NOT NULL DEFAULT '',
  old_value  REAL,
  new_value  REAL,
  detail     TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX metric_events_commit ON metric_events(commit_id);
CREATE TABLE commit_coverage (
  commit_id  TEXT PRIMARY KEY,
  percent    REAL NOT NULL,
  source     TEXT,
  created_at INTEGER NOT NULL
);
