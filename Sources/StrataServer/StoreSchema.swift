/// The schema of both stores, as numbered migrations (index 0 is version 1).
///
/// A released migration is never edited; a change is a new one at the end of both lists.
///
/// Version 2 adds what the service remembers: `exposures` and `events` with the event-level columns of
/// docs/warehouse.md (so a copy of them in a warehouse gives the same results), the ids of ingested exposures
/// (a retried batch never counts twice), the planned looks, and each API key's `expose` setting (its single-flag
/// OFREP evaluations log the exposure).
///
/// - `exposures` keeps one row per (experiment, unit, variant): the earliest exposure of that unit to that variant
///   (ties broken by segment, as the results query breaks them) and `repeats`, the later exposures counted. The
///   results query (first exposure per unit wins; a unit with two variants is left out and counted) reads the same
///   from these rows as from every exposure.
/// - `exposure_ids` holds the client-chosen id of every exposure item stored (exposures logged by OFREP
///   evaluation have none); `events.event_id` is an event's id.
/// - Times are UTC: SQLite text `YYYY-MM-DD HH:MM:SS.SSS` (ordered as text, read by its date functions),
///   PostgreSQL `TIMESTAMP`; both to the millisecond.
/// - `looks` keeps every record of every planned look (`state`: `current`, `replaced` or `dropped`).
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
    ],
    [
      "ALTER TABLE api_keys ADD COLUMN expose INTEGER NOT NULL DEFAULT 0",
      """
      CREATE TABLE exposures (unit_id TEXT NOT NULL, experiment_id TEXT NOT NULL, variant TEXT NOT NULL, \
      segment TEXT NOT NULL, exposed_at TIMESTAMP NOT NULL, definition_hash TEXT NOT NULL, \
      repeats INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (experiment_id, unit_id, variant)) WITHOUT ROWID
      """,
      """
      CREATE TABLE exposure_ids (id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, unit_id TEXT NOT NULL) \
      WITHOUT ROWID
      """,
      "CREATE INDEX exposure_ids_unit ON exposure_ids (unit_id)",
      """
      CREATE TABLE events (event_id TEXT NOT NULL UNIQUE, unit_id TEXT NOT NULL, metric TEXT NOT NULL, \
      value DOUBLE PRECISION NOT NULL, occurred_at TIMESTAMP NOT NULL)
      """,
      "CREATE INDEX events_unit ON events (unit_id, metric, occurred_at, value)",
      """
      CREATE TABLE looks (experiment_id TEXT NOT NULL, look INTEGER NOT NULL, revision INTEGER NOT NULL, \
      state TEXT NOT NULL, record TEXT NOT NULL, recorded_at TEXT NOT NULL, \
      PRIMARY KEY (experiment_id, look, revision))
      """,
    ],
    // 3: consent, the hash-chained audit log (ConsentStore). The triggers make the log append-only for ordinary
    // writers; they are no protection against someone who drops them, which the hash chain then reveals.
    [
      "CREATE TABLE audit_key (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, created_at TEXT NOT NULL)",
      """
      CREATE TABLE audit_log (sequence INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, action TEXT NOT NULL, \
      unit TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL, previous_hash TEXT NOT NULL, \
      record_hash TEXT NOT NULL)
      """,
      """
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL, \
      record_hash TEXT NOT NULL, recorded_at TEXT NOT NULL)
      """,
      """
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
      """,
      """
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
      """,
      """
      CREATE TABLE consent (unit TEXT PRIMARY KEY, granted INTEGER NOT NULL, changed_at TEXT NOT NULL, \
      audit_sequence INTEGER NOT NULL)
      """,
      "CREATE INDEX consent_by_sequence ON consent (audit_sequence)",
      """
      CREATE TABLE consent_refused_items (kind TEXT NOT NULL, subject TEXT NOT NULL, count INTEGER NOT NULL, \
      PRIMARY KEY (kind, subject))
      """,
      """
      CREATE TABLE erased_exposures (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, units INTEGER NOT NULL, \
      PRIMARY KEY (experiment_id, variant))
      """,
    ],
    // 4: running cell totals of the live results (LiveTotals), kept by ingestion and erasure; exposures by unit (an
    // event finds the experiments its unit was exposed in).
    [
      "CREATE INDEX exposures_unit ON exposures (unit_id)",
      """
      CREATE TABLE live_experiments (experiment_id TEXT PRIMARY KEY, plan_key TEXT NOT NULL, shifts BLOB NOT NULL, \
      excluded_units INTEGER NOT NULL)
      """,
      """
      CREATE TABLE live_cells (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, segment TEXT NOT NULL, \
      totals BLOB NOT NULL, PRIMARY KEY (experiment_id, variant, segment)) WITHOUT ROWID
      """,
      """
      CREATE TABLE live_units (experiment_id TEXT NOT NULL, unit_id TEXT NOT NULL, variant TEXT NOT NULL, \
      segment TEXT NOT NULL, is_excluded INTEGER NOT NULL, contribution BLOB NOT NULL, \
      PRIMARY KEY (experiment_id, unit_id)) WITHOUT ROWID
      """,
      "CREATE INDEX live_units_unit ON live_units (unit_id)",
    ],
    // 5: stored exposures and repeats per (experiment, variant), kept by ingestion and erasure, so the results'
    // account of them reads a few rows (filled from the exposures at the migration).
    [
      """
      CREATE TABLE live_exposures (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, exposures INTEGER NOT NULL, \
      repeats INTEGER NOT NULL, PRIMARY KEY (experiment_id, variant)) WITHOUT ROWID
      """,
      """
      INSERT INTO live_exposures (experiment_id, variant, exposures, repeats) \
      SELECT experiment_id, variant, count(*), coalesce(sum(repeats), 0) FROM exposures GROUP BY experiment_id, variant
      """,
    ],
    // 6: what the totals cover. `building` 1: the totals are being built in unit id order, and hold exactly the units
    // up to `build_cursor` (NULL: none yet). `live_marks.outside_writes` counts the writes to exposures and events made
    // by anything but the service (triggers; the service sets `service` inside its own write transactions), and
    // `checked` the count the totals were last checked against (-1: never, a database of an earlier release).
    [
      "ALTER TABLE live_experiments ADD COLUMN building INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE live_experiments ADD COLUMN build_cursor TEXT",
      """
      CREATE TABLE live_marks (id INTEGER PRIMARY KEY CHECK (id = 1), service INTEGER NOT NULL, \
      outside_writes INTEGER NOT NULL, checked INTEGER NOT NULL)
      """,
      "INSERT INTO live_marks (id, service, outside_writes, checked) VALUES (1, 0, 0, -1)",
    ]
      + ["exposures", "events"].flatMap { table in
        ["INSERT", "UPDATE", "DELETE"].map { action in
          """
          CREATE TRIGGER \(table)_outside_\(action.lowercased()) AFTER \(action) ON \(table) \
          WHEN (SELECT service FROM live_marks WHERE id = 1) = 0 \
          BEGIN UPDATE live_marks SET outside_writes = outside_writes + 1 WHERE id = 1; END
          """
        }
      },
    // 7: per kept unit, what a new event needs to update its contribution alone (LivePlan.Memo: its first exposure's
    // time, its windows' ends, its aggregates); NULL: the next change recomputes the unit from its rows.
    ["ALTER TABLE live_units ADD COLUMN memo TEXT"],
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
    ],
    [
      "ALTER TABLE api_keys ADD COLUMN expose BOOLEAN NOT NULL DEFAULT false",
      """
      CREATE TABLE exposures (unit_id TEXT NOT NULL, experiment_id TEXT NOT NULL, variant TEXT NOT NULL, \
      segment TEXT NOT NULL, exposed_at TIMESTAMP NOT NULL, definition_hash TEXT NOT NULL, \
      repeats INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (experiment_id, unit_id, variant))
      """,
      "CREATE TABLE exposure_ids (id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, unit_id TEXT NOT NULL)",
      "CREATE INDEX exposure_ids_unit ON exposure_ids (unit_id)",
      """
      CREATE TABLE events (event_id TEXT NOT NULL UNIQUE, unit_id TEXT NOT NULL, metric TEXT NOT NULL, \
      value DOUBLE PRECISION NOT NULL, occurred_at TIMESTAMP NOT NULL)
      """,
      "CREATE INDEX events_unit ON events (unit_id, metric, occurred_at) INCLUDE (value)",
      """
      CREATE TABLE looks (experiment_id TEXT NOT NULL, look INTEGER NOT NULL, revision INTEGER NOT NULL, \
      state TEXT NOT NULL, record TEXT NOT NULL, recorded_at TIMESTAMPTZ NOT NULL, \
      PRIMARY KEY (experiment_id, look, revision))
      """,
    ],
    // 3: consent and the audit log, as in SQLite.
    [
      "CREATE TABLE audit_key (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, created_at TEXT NOT NULL)",
      """
      CREATE TABLE audit_log (sequence BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, action TEXT NOT NULL, \
      unit TEXT NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL, previous_hash TEXT NOT NULL, \
      record_hash TEXT NOT NULL)
      """,
      """
      CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), sequence BIGINT NOT NULL, \
      record_hash TEXT NOT NULL, recorded_at TEXT NOT NULL)
      """,
      """
      CREATE FUNCTION strata_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
      $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
      """,
      """
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
      FOR EACH ROW EXECUTE FUNCTION strata_audit_log_append_only()
      """,
      """
      CREATE TABLE consent (unit TEXT PRIMARY KEY, granted BOOLEAN NOT NULL, changed_at TEXT NOT NULL, \
      audit_sequence BIGINT NOT NULL)
      """,
      "CREATE INDEX consent_by_sequence ON consent (audit_sequence)",
      """
      CREATE TABLE consent_refused_items (kind TEXT NOT NULL, subject TEXT NOT NULL, count BIGINT NOT NULL, \
      PRIMARY KEY (kind, subject))
      """,
      """
      CREATE TABLE erased_exposures (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, units BIGINT NOT NULL, \
      PRIMARY KEY (experiment_id, variant))
      """,
    ],
    // 4: as in SQLite.
    [
      "CREATE INDEX exposures_unit ON exposures (unit_id)",
      """
      CREATE TABLE live_experiments (experiment_id TEXT PRIMARY KEY, plan_key TEXT NOT NULL, shifts BYTEA NOT NULL, \
      excluded_units BIGINT NOT NULL)
      """,
      """
      CREATE TABLE live_cells (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, segment TEXT NOT NULL, \
      totals BYTEA NOT NULL, PRIMARY KEY (experiment_id, variant, segment))
      """,
      """
      CREATE TABLE live_units (experiment_id TEXT NOT NULL, unit_id TEXT NOT NULL, variant TEXT NOT NULL, \
      segment TEXT NOT NULL, is_excluded INTEGER NOT NULL, contribution BYTEA NOT NULL, \
      PRIMARY KEY (experiment_id, unit_id))
      """,
      "CREATE INDEX live_units_unit ON live_units (unit_id)",
    ],
    // 5: as in SQLite.
    [
      """
      CREATE TABLE live_exposures (experiment_id TEXT NOT NULL, variant TEXT NOT NULL, exposures BIGINT NOT NULL, \
      repeats BIGINT NOT NULL, PRIMARY KEY (experiment_id, variant))
      """,
      """
      INSERT INTO live_exposures (experiment_id, variant, exposures, repeats) \
      SELECT experiment_id, variant, count(*), coalesce(sum(repeats), 0) FROM exposures GROUP BY experiment_id, variant
      """,
    ],
    // 6: as in SQLite; the service's transactions set `strata.service` (SET LOCAL) instead of a column, and the
    // triggers count statements.
    [
      "ALTER TABLE live_experiments ADD COLUMN building INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE live_experiments ADD COLUMN build_cursor TEXT",
      """
      CREATE TABLE live_marks (id INTEGER PRIMARY KEY CHECK (id = 1), outside_writes BIGINT NOT NULL, \
      checked BIGINT NOT NULL)
      """,
      "INSERT INTO live_marks (id, outside_writes, checked) VALUES (1, 0, -1)",
      """
      CREATE FUNCTION strata_live_outside_write() RETURNS trigger LANGUAGE plpgsql AS \
      $$ BEGIN IF current_setting('strata.service', true) IS DISTINCT FROM 'on' THEN \
      UPDATE live_marks SET outside_writes = outside_writes + 1 WHERE id = 1; END IF; RETURN NULL; END $$
      """,
      """
      CREATE TRIGGER exposures_outside_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exposures \
      FOR EACH STATEMENT EXECUTE FUNCTION strata_live_outside_write()
      """,
      """
      CREATE TRIGGER events_outside_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events \
      FOR EACH STATEMENT EXECUTE FUNCTION strata_live_outside_write()
      """,
    ],
    // 7: as in SQLite.
    ["ALTER TABLE live_units ADD COLUMN memo TEXT"],
  ]
}
