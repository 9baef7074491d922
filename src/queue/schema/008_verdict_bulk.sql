-- A verdict given to many fixes of one rule by one action (a sweep, `review --accept-all`) is
-- marked bulk: it counts, but never makes a rule trusted by itself (issue 13 §7).
ALTER TABLE verdicts ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
