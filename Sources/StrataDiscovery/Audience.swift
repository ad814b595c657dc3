/// The audience read for discovery: one entry per unit, with its pre-treatment features.
///
/// The reader can keep only the units of the discovery half (all clustering reads); `totalCount` still counts
/// every unit in the file, and `discoveryOnlySalt` names the split the kept units passed.
///
/// Numeric features are stored one column at a time with NaN for a missing value (input values are always finite,
/// so NaN is free to mean "missing"); categorical features are text, nil when missing.
public struct Audience: Sendable {
  /// The file it was read from, for messages.
  public let file: String
  /// The unit id column.
  public let unitColumn: String
  public var units: [String]
  /// Units in the audience, both halves: `count`, or more when only the discovery half was kept.
  public var totalCount: Int
  /// The salt of the split whose discovery half alone was kept, nil when every unit was.
  public var discoveryOnlySalt: String?
  public let numericNames: [String]
  /// `numeric[f][i]`: feature f of unit i, NaN when missing.
  public var numeric: [[Double]]
  public let categoricalNames: [String]
  /// `categorical[f][i]`: feature f of unit i, nil when missing.
  public var categorical: [[String?]]

  /// An audience from values in memory (tests, library callers); every array one entry per unit.
  public init(
    file: String = "<memory>", unitColumn: String = "unit_id", units: [String], numericNames: [String],
    numeric: [[Double]], categoricalNames: [String] = [], categorical: [[String?]] = []
  ) {
    precondition(numeric.count == numericNames.count && categorical.count == categoricalNames.count, "names")
    precondition(numeric.allSatisfy { $0.count == units.count }, "one value per unit")
    precondition(categorical.allSatisfy { $0.count == units.count }, "one value per unit")
    self.file = file
    self.unitColumn = unitColumn
    self.units = units
    self.totalCount = units.count
    self.discoveryOnlySalt = nil
    self.numericNames = numericNames
    self.numeric = numeric
    self.categoricalNames = categoricalNames
    self.categorical = categorical
  }

  /// Units read.
  public var count: Int { units.count }
}
