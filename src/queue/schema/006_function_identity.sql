-- A function's identity across commits (qualified name, signature, decorator kind; issue 12
-- §6). Rows measured before it have '' and are known by their name only.
ALTER TABLE function_metrics ADD COLUMN identity TEXT NOT NULL DEFAULT '';
