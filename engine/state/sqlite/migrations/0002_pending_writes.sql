-- 0002: the time change a run was about to write when it saved the link.
--
-- The executor records it before it writes to the CRM or the groupware and
-- clears it after, so a run killed in between can tell on the next run
-- whether its write landed (that side now shows the pending times) and
-- record it, instead of reading its own write as somebody's edit.
-- pending_side is '' (nothing pending), 'crm' or 'groupware'.

ALTER TABLE links ADD COLUMN pending_side TEXT NOT NULL DEFAULT ''
    CHECK (pending_side IN ('', 'crm', 'groupware'));
ALTER TABLE links ADD COLUMN pending_start TEXT;
ALTER TABLE links ADD COLUMN pending_end TEXT;
ALTER TABLE links ADD COLUMN pending_due TEXT;
ALTER TABLE links ADD COLUMN pending_all_day INTEGER NOT NULL DEFAULT 0 CHECK (pending_all_day IN (0, 1));
