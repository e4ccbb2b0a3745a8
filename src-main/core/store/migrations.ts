/** Versioned schema migrations; each runs once, in order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  root TEXT NOT NULL UNIQUE,
  corpus TEXT NOT NULL,
  label_map TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  rel_path TEXT NOT NULL,
  label TEXT,
  original_label TEXT,
  speaker TEXT,
  gender TEXT,
  intensity TEXT,
  statement TEXT,
  corpus TEXT,
  duration REAL,
  sample_rate INTEGER,
  channels INTEGER,
  content_hash TEXT,
  error TEXT,
  UNIQUE (dataset_id, rel_path)
);
CREATE INDEX files_dataset ON files(dataset_id);
CREATE TABLE splits (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  config TEXT NOT NULL,
  assignment TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  config TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
  backend TEXT,
  error TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  note TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  started_at TEXT,
  finished_at TEXT
);
CREATE TABLE epoch_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE batch_metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  loss REAL,
  accuracy REAL,
  lr REAL,
  PRIMARY KEY (run_id, step)
);
CREATE TABLE evaluations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  split TEXT NOT NULL,
  metrics TEXT NOT NULL,
  predictions TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  labels TEXT NOT NULL,
  feature_config TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'run ownership',
    // Which process drives a running run: opening the DB must not call another live process's run interrupted.
    sql: `
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_host TEXT;
`,
  },
  {
    version: 3,
    name: 'camelCase evaluation reports',
    // Reports are stored as the API returns them, and the API names fields in camelCase since version 3.
    sql: ['macro_f1:macroF1', 'per_class:perClass', 'confusion_normalized:confusionNormalized']
      .map((pair) => {
        const [from, to] = pair.split(':');
        return `UPDATE evaluations SET metrics = json_remove(json_set(metrics, '$.${to}', json_extract(metrics, '$.${from}') -> '$'), '$.${from}')
  WHERE json_valid(metrics) AND json_type(metrics, '$.${from}') IS NOT NULL;`;
      })
      .join('\n'),
  },
  {
    version: 4,
    name: 'studies',
    // A study expands into cells; each cell is trained as an ordinary run linked back to it. The cells table is the
    // durable queue: a cell is claimed by one process (owner), and holds the one run that completed it.
    sql: `
CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  name TEXT,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  spec TEXT NOT NULL,
  points TEXT NOT NULL,
  folds INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at TEXT
);
CREATE TABLE study_cells (
  id INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  cell_key TEXT NOT NULL,
  fold INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  point INTEGER NOT NULL,
  config TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled')),
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  owner_pid INTEGER,
  owner_host TEXT,
  started_at TEXT,
  finished_at TEXT,
  UNIQUE (study_id, cell_key)
);
CREATE INDEX study_cells_queue ON study_cells(study_id, status);
ALTER TABLE runs ADD COLUMN study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN study_cell TEXT;
`,
  },
  {
    version: 5,
    name: 'dataset naming',
    // How a dataset's names were read beyond its convention ({"pattern": ..., "metadata": ...} or NULL), so a
    // re-import reads them the same way without the options being given again.
    sql: `
ALTER TABLE datasets ADD COLUMN naming TEXT;
`,
  },
  {
    version: 6,
    name: 'speaker profiles',
    // A profile's audio lives in files under the DB's folder (profiles/<id>/); its statistics are cached per model
    // folder and recomputed when the utterances they came from (utterance_ids) change.
    sql: `
CREATE TABLE speaker_profiles (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE profile_utterances (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES speaker_profiles(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  source TEXT NOT NULL,
  seconds REAL NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX profile_utterances_profile ON profile_utterances(profile_id);
CREATE TABLE profile_stats (
  profile_id INTEGER NOT NULL REFERENCES speaker_profiles(id) ON DELETE CASCADE,
  model_path TEXT NOT NULL,
  utterance_ids TEXT NOT NULL,
  stats TEXT NOT NULL,
  PRIMARY KEY (profile_id, model_path)
);
`,
  },
  {
    version: 7,
    name: 'dataset duration limit',
    // The longest file a dataset's import accepted (seconds; NULL: the default), so a re-import (by hand, or after a
    // Recorder save) keeps files that a raised limit let in, instead of rejecting them again.
    sql: `
ALTER TABLE datasets ADD COLUMN max_duration_seconds REAL;
`,
  },
];
