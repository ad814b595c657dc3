/// What the service stored for one variant of an experiment (the dashboard's account of the data).
public struct VariantActivity: Sendable, Hashable {
  public var variant: String
  /// Units whose first exposure to this variant is stored (a unit exposed to two variants counts in both).
  public var exposures: Int
  /// Later exposures of those units to this variant, counted and not stored.
  public var repeats: Int
  /// Stored events of the variant's analysed units for the experiment's metrics.
  ///
  /// At any time (the analysis window is the report's); a unit exposed to two variants is in neither. Kept in the
  /// live totals; while they are being built, counted over every exposed unit of the variant.
  public var events: Int

  public init(variant: String, exposures: Int, repeats: Int, events: Int) {
    self.variant = variant
    self.exposures = exposures
    self.repeats = repeats
    self.events = events
  }
}
