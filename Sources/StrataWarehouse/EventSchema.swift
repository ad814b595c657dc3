/// The event-level tables the Strata service writes (docs/warehouse.md has the DDL for every dialect).
///
/// ```
/// exposures(unit_id, experiment_id, variant, segment, exposed_at, definition_hash)
/// events(unit_id, metric, value, occurred_at)
/// ```
/// A unit may be exposed many times; its first exposure decides its variant, segment and the start of
/// each metric's attribution window, and a unit exposed to more than one variant of the experiment is
/// left out of the analysis and counted. `events.metric` holds the metric's `name` from the definition (a ratio's
/// numerator and denominator columns; a covariate's column, for its events before the exposure: `EventColumn`).
public enum EventSchema {
  public enum Exposures {
    public static let unit = "unit_id"
    public static let experiment = "experiment_id"
    public static let variant = "variant"
    public static let segment = "segment"
    public static let time = "exposed_at"
    public static let definitionHash = "definition_hash"
  }

  public enum Events {
    public static let unit = "unit_id"
    public static let metric = "metric"
    public static let value = "value"
    public static let time = "occurred_at"
  }

  /// The result column counting units exposed to more than one variant (the same on every row).
  public static let excludedUnitsColumn = "units_multiple_variants"
}
