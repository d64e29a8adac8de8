-- Up Migration

-- The feeds each server follows (scope: the server's id; '' for the base corpus), and what each
-- has seen and added (see src/app/feeds/feedStore.ts): one row per scope, read and written whole
-- under its row lock, so hosts polling at once take turns as the files' lock makes processes do.
CREATE TABLE feed_lists (
  scope text PRIMARY KEY,
  feeds jsonb NOT NULL DEFAULT '[]'::jsonb
);

-- Down Migration

DROP TABLE feed_lists;
