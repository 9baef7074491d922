-- An opportunity's category and safety are read as core::Category and core::Safety, and a name the
-- build does not know is damage. Rows an older build left without one (the columns' default '') get
-- what the code took them to mean then: no category ranked as code quality; no safety on a rule's
-- finding left the rule's own in force (safe is the one that limits nothing), and on anything else
-- (a provider's finding, a request) committed nothing.
UPDATE opportunities SET category = 'code_quality'
  WHERE category NOT IN ('security_fixes', 'performance_issues', 'code_quality', 'test_coverage');
UPDATE opportunities SET safety = CASE WHEN origin IN ('rule', 'repository_rule') THEN 'safe' ELSE 'suggest' END
  WHERE safety NOT IN ('safe', 'unsafe', 'suggest');
