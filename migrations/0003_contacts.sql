-- Contacts, tags, custom fields, imports and segments (issue 3).
-- Timestamps are RFC 3339 UTC with exactly three fraction digits, so text order is time order.

-- One row per CSV import; contacts it created say `source = 'import'` and point here.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    total       INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- `email` is kept as entered; `email_key` (its lower-case form) carries the uniqueness.
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    email_key  TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'subscribed'
               CHECK (status IN ('subscribed', 'unsubscribed', 'bounced', 'complained', 'blocked')),
    source     TEXT NOT NULL CHECK (source IN ('manual', 'import', 'api')),
    import_id  INTEGER REFERENCES imports (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_by_created ON contacts (created_at);
CREATE INDEX contacts_by_updated ON contacts (updated_at);
CREATE INDEX contacts_by_status ON contacts (status);
CREATE INDEX contacts_by_last_name ON contacts (last_name COLLATE NOCASE);
CREATE INDEX contacts_by_first_name ON contacts (first_name COLLATE NOCASE);
CREATE INDEX contacts_by_import ON contacts (import_id) WHERE import_id IS NOT NULL;

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    colour     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_by_tag ON contact_tags (tag_id, contact_id);

-- `options` is a JSON array of strings, used by the `choice` type only.
CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    label      TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'choice')),
    options    TEXT NOT NULL DEFAULT '[]',
    required   INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Typed values: REAL for numbers, INTEGER 0/1 for booleans, TEXT 'YYYY-MM-DD' for dates and
-- TEXT otherwise, so segments compare numbers as numbers and dates in calendar order.
CREATE TABLE contact_values (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    field_id   INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value      ANY NOT NULL,
    PRIMARY KEY (contact_id, field_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_values_by_field ON contact_values (field_id, value);

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    rules      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Full-text search over the email, the names and the text/choice custom values. Contentless
-- (the text lives in the tables above); the triggers below keep it in step with every write,
-- cascades included. `detail = none`: search needs word prefixes only, not phrases, and this
-- keeps the index small and imports fast.
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    email, first_name, last_name, custom,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Buffer 8 MB of new index entries before writing a segment (default 1 MB): far fewer
-- segments to merge during a large import.
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('hashsize', 8388608);

-- An import drops the triggers below inside its
-- transaction and maintains the index itself (new contacts in one pass at the end, updated
-- ones row by row); they are recreated before it commits, and a rollback restores them too.
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, email, first_name, last_name, custom)
    VALUES (new.id, new.email, new.first_name, new.last_name,
            (SELECT coalesce(group_concat(v.value, ' '), '')
               FROM contact_values v JOIN custom_fields f ON f.id = v.field_id
              WHERE v.contact_id = new.id AND f.type IN ('text', 'choice')));
END;

CREATE TRIGGER contacts_fts_update AFTER UPDATE OF email, first_name, last_name ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
    INSERT INTO contacts_fts (rowid, email, first_name, last_name, custom)
    VALUES (new.id, new.email, new.first_name, new.last_name,
            (SELECT coalesce(group_concat(v.value, ' '), '')
               FROM contact_values v JOIN custom_fields f ON f.id = v.field_id
              WHERE v.contact_id = new.id AND f.type IN ('text', 'choice')));
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
END;

CREATE TRIGGER contact_values_fts_insert AFTER INSERT ON contact_values
WHEN (SELECT type FROM custom_fields WHERE id = new.field_id) IN ('text', 'choice') BEGIN
    UPDATE contacts SET email = email WHERE id = new.contact_id;
END;

CREATE TRIGGER contact_values_fts_update AFTER UPDATE ON contact_values
WHEN (SELECT type FROM custom_fields WHERE id = new.field_id) IN ('text', 'choice') BEGIN
    UPDATE contacts SET email = email WHERE id = new.contact_id;
END;

CREATE TRIGGER contact_values_fts_delete AFTER DELETE ON contact_values
WHEN (SELECT type FROM custom_fields WHERE id = old.field_id) IN ('text', 'choice') BEGIN
    UPDATE contacts SET email = email WHERE id = old.contact_id;
END;
