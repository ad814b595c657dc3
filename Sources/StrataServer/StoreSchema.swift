/// The schema of both stores, as numbered migrations (index 0 is version 1).
///
/// A released migration is never edited; a change is a new one at the end of both lists.
enum StoreSchema {
  static let sqlite: [[String]] = [
    [
      "CREATE TABLE strata_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
      """
      CREATE TABLE api_keys (name TEXT PRIMARY KEY, role TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, \
      created TEXT NOT NULL)
      """,
      """
      CREATE TABLE definitions (experiment_id TEXT NOT NULL, definition_hash TEXT NOT NULL, file TEXT NOT NULL, \
      yaml TEXT NOT NULL, first_served_at TEXT NOT NULL, PRIMARY KEY (experiment_id, definition_hash))
      """,
      """
      CREATE TABLE catalog_versions (etag TEXT PRIMARY KEY, experiments INTEGER NOT NULL, \
      first_served_at TEXT NOT NULL)
      """,
    ]
  ]

  static let postgresql: [[String]] = [
    [
      """
      CREATE TABLE api_keys (name TEXT PRIMARY KEY, role TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, \
      created TEXT NOT NULL)
      """,
      """
      CREATE TABLE definitions (experiment_id TEXT NOT NULL, definition_hash TEXT NOT NULL, file TEXT NOT NULL, \
      yaml TEXT NOT NULL, first_served_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (experiment_id, definition_hash))
      """,
      """
      CREATE TABLE catalog_versions (etag TEXT PRIMARY KEY, experiments INTEGER NOT NULL, \
      first_served_at TIMESTAMPTZ NOT NULL)
      """,
    ]
  ]
}
