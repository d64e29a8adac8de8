-- Up Migration

-- Every change to shared state, in the order it was committed. Each host applies the changes
-- past the last one it applied (kept in its CACHE_DIR), so a host that missed notifications
-- catches up from here. `kind` says what changed: 'article' (a row of `articles`); other kinds
-- of state may join with their own tables and the same sequence.
CREATE TABLE changes (
  seq bigserial PRIMARY KEY,
  kind text NOT NULL,
  -- '' for the base corpus, else the server's id.
  scope text NOT NULL,
  -- What changed within its kind and scope: an article's file name.
  name text NOT NULL,
  op text NOT NULL CHECK (op IN ('add', 'replace', 'remove')),
  at timestamptz NOT NULL DEFAULT now()
);

-- Each server's own articles (scope: the server's id; '' for base articles written through the
-- bot), the text of their files as uploaded. Every host mirrors them into CORPUS_DIR.
CREATE TABLE articles (
  scope text NOT NULL,
  file text NOT NULL,
  document_id text NOT NULL,
  text text NOT NULL,
  bytes integer NOT NULL,
  passages integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The change that wrote this version.
  seq bigint NOT NULL REFERENCES changes (seq),
  PRIMARY KEY (scope, file)
);
CREATE INDEX articles_by_document ON articles (scope, document_id);

-- What members made of the answers (see src/feedback/feedbackStore.ts): never who they are.
CREATE TABLE feedback (
  id bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  guild_id text,
  question text NOT NULL,
  passage_id text,
  outcome text NOT NULL CHECK (outcome IN ('answered', 'declined', 'up', 'down')),
  -- For records copied from feedback files by `npm run db:import`: the same line is copied once.
  imported_key text UNIQUE
);
CREATE INDEX feedback_by_time ON feedback (time);

-- Down Migration

DROP TABLE feedback;
DROP TABLE articles;
DROP TABLE changes;
