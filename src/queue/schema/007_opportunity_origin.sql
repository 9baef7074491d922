-- Where an opportunity came from (core::Origin), a column rather than a prefix of its rule id;
-- rows from before it are told by the ids they were given then.
ALTER TABLE opportunities ADD COLUMN origin TEXT NOT NULL DEFAULT 'rule';
UPDATE opportunities SET origin = 'generator_request' WHERE rule_id LIKE 'improve/%';
UPDATE opportunities SET origin = 'repository_rule' WHERE rule_id LIKE 'repo:%';
