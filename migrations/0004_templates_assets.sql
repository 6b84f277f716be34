-- Email templates and brand assets (issue 4).

-- Templates. The prebuilt gallery ships inside the binary and is mirrored here as
-- `admin_provided` rows (keyed by gallery_key, refreshed when the app's copy changes) so that
-- lists, searches and later campaign references treat both kinds alike. Gallery rows are
-- read-only; "duplicate" makes an editable `user_created` copy.
CREATE TABLE templates (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('admin_provided', 'user_created')),
    gallery_key      TEXT UNIQUE,
    -- Hash of the shipped gallery content, to refresh a gallery row only when it changed.
    gallery_revision TEXT,
    name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
    description      TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL DEFAULT '',
    subject          TEXT NOT NULL DEFAULT '',
    preheader        TEXT NOT NULL DEFAULT '',
    format           TEXT NOT NULL CHECK (format IN ('mjml', 'html')),
    source           TEXT NOT NULL,
    -- JSON array of the variables the template uses, e.g. ["contact.first_name"].
    variables        TEXT NOT NULL DEFAULT '[]',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((kind = 'admin_provided') = (gallery_key IS NOT NULL))
) STRICT;

CREATE INDEX templates_kind_name ON templates (kind, name);

-- Asset folders, as '/'-separated paths ('brand/logos'); the root is ''. Rows exist so that
-- empty folders can be made before anything is put in them.
CREATE TABLE asset_folders (
    path       TEXT PRIMARY KEY NOT NULL CHECK (path <> ''),
    created_at TEXT NOT NULL
) STRICT;

-- Assets. The file lives at assets/<sha256>.<ext> in the workspace folder, so the same
-- content is stored once; its thumbnail (images only) at assets/thumbs/<sha256>.<png|jpg>.
CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    extension     TEXT NOT NULL,
    name          TEXT NOT NULL,
    mime_type     TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    width         INTEGER,
    height        INTEGER,
    folder        TEXT NOT NULL DEFAULT '',
    thumbnail     TEXT,
    -- Set once the file has been uploaded to the publishing bucket: the key it has there.
    published_key TEXT,
    created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX assets_folder ON assets (folder, name);
CREATE INDEX assets_mime ON assets (mime_type);

CREATE TABLE asset_tags (
    asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (asset_id, tag)
) STRICT;

CREATE INDEX asset_tags_tag ON asset_tags (tag);
