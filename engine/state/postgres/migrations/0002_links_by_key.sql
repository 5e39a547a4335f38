-- 0002: finding links by key, so that a plan that does not load every
-- link (an incremental CRM listing) looks up the keys of new items.
CREATE INDEX links_by_key ON links (user_name, key);
