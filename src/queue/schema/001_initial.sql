-- The initial schema.
CREATE TABLE opportunities (
  id          INTEGER PRIMARY KEY,
  fingerprint TEXT    NOT NULL UNIQUE,
  rule_id     TEXT    NOT NULL,
  category    TEXT    NOT NULL DEFAULT '',
  severity    TEXT    NOT NULL DEFAULT '',
  safety      TEXT    NOT NULL DEFAULT '',
  path        TEXT    NOT NULL,
  start_line  INTEGER NOT NULL DEFAULT 0,
  end_line    INTEGER NOT NULL DEFAULT 0,
  start_byte  INTEGER NOT NULL DEFAULT 0,
  end_byte    INTEGER NOT NULL DEFAULT 0,
  blob        TEXT    NOT NULL DEFAULT '',
  commit_id   TEXT    NOT NULL DEFAULT '',
  message     TEXT    NOT NULL DEFAULT '',
  snippet     TEXT    NOT NULL DEFAULT '',
  status      TEXT    NOT NULL DEFAULT 'open',
  is_new      INTEGER NOT NULL DEFAULT 0,
  score       REAL    NOT NULL DEFAULT 0,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  resolved_in TEXT
);
CREATE INDEX opportunities_path_status ON opportunities(path, status);
CREATE INDEX opportunities_status ON opportunities(status);
CREATE INDEX opportunities_rule ON opportunities(rule_id);

CREATE TABLE cycles (
  id          INTEGER PRIMARY KEY,
  "trigger"   TEXT    NOT NULL DEFAULT '',
  started_at  REAL    NOT NULL,
  ended_at    REAL,
  checkpoint  TEXT,
  applied     INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0,
  rolled_back INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE attempts (
  id             INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  cycle_id       INTEGER REFERENCES cycles(id) ON DELETE SET NULL,
  side_commit    TEXT,
  outcome        TEXT    NOT NULL,
  lines_changed  INTEGER NOT NULL DEFAULT 0,
  duration_ms    REAL    NOT NULL DEFAULT 0,
  detail         TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX attempts_opportunity ON attempts(opportunity_id);
CREATE INDEX attempts_cycle ON attempts(cycle_id);

CREATE TABLE rule_stats (
  rule_id        TEXT    PRIMARY KEY,
  proposed       INTEGER NOT NULL DEFAULT 0,
  applied        INTEGER NOT NULL DEFAULT 0,
  accepted       INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  reverted       INTEGER NOT NULL DEFAULT 0,
  failed         INTEGER NOT NULL DEFAULT 0,
  fixed_by_human INTEGER NOT NULL DEFAULT 0,
  state          TEXT    NOT NULL DEFAULT 'active'
);

CREATE TABLE scanned_commits (
  commit_id   TEXT    PRIMARY KEY,
  scanned_at  INTEGER NOT NULL,
  files       INTEGER NOT NULL DEFAULT 0,
  findings    INTEGER NOT NULL DEFAULT 0,
  duration_ms REAL    NOT NULL DEFAULT 0
);

CREATE TABLE blob_cache (
  blob       TEXT    NOT NULL,
  ruleset    TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blob, ruleset)
);

CREATE TABLE file_metrics (
  commit_id            TEXT    NOT NULL,
  path                 TEXT    NOT NULL,
  language             TEXT    NOT NULL DEFAULT '',
  lines                INTEGER NOT NULL DEFAULT 0,
  functions            INTEGER NOT NULL DEFAULT 0,
  complexity_total     INTEGER NOT NULL DEFAULT 0,
  complexity_max       INTEGER NOT NULL DEFAULT 0,
  nesting_max          INTEGER NOT NULL DEFAULT 0,
  debt_markers         INTEGER NOT NULL DEFAULT 0,
  findings_security    INTEGER NOT NULL DEFAULT 0,
  findings_performance INTEGER NOT NULL DEFAULT 0,
  findings_quality     INTEGER NOT NULL DEFAULT 0,
  findings_tests       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (commit_id, path)
);

CREATE TABLE function_metrics (
  commit_id  TEXT    NOT NULL,
  path       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  start_line INTEGER NOT NULL,
  end_line   INTEGER NOT NULL DEFAULT 0,
  complexity INTEGER NOT NULL DEFAULT 0,
  length     INTEGER NOT NULL DEFAULT 0,
  nesting    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (commit_id, path, name, start_line)
);

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,
  started_at  REAL    NOT NULL,
  duration_ms REAL    NOT NULL DEFAULT 0,
  peak_rss_kb INTEGER NOT NULL DEFAULT 0,
  commits     INTEGER NOT NULL DEFAULT 0,
  files       INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  detail      TEXT
);
CREATE INDEX runs_kind_started ON runs(kind, started_at);

CREATE TABLE state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
