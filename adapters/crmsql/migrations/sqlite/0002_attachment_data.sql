-- 0002: attachment content. gwsync stores an attachment's bytes when the
-- source's options ask for it (imap: store_attachments); NULL means only
-- the metadata is stored, as for every row of 0001.

ALTER TABLE attachments ADD COLUMN data BLOB;
