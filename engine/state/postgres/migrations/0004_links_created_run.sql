-- 0004: the run that created a link's activity. The executor journals
-- only failures and skips (issue 13), so "the activities run N created"
-- is read from the links. 0 = not known (links from before, or linked
-- rather than created).
ALTER TABLE links ADD COLUMN created_run BIGINT NOT NULL DEFAULT 0;
CREATE INDEX links_by_created_run ON links (created_run) WHERE created_run <> 0;
