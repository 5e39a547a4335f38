-- 0003: reserved for another branch's migration; this no-op keeps the
-- numbers without gaps until the merge replaces it with that file.
SELECT 1;
