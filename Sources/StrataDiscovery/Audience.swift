/// The audience read for discovery: one entry per unit, with its pre-treatment features.
///
/// The reader can keep only the units of the discovery half (all clustering reads); `totalCount` still counts
/// every unit in the file, and `discoveryOnlySalt` names the split the kept units passed. It can also leave the
/// unit ids out (`units` is then empty; `count` still counts the units), as `strata discover` does: nothing it
/// writes names a unit.
///
/// Numeric features are stored row after row (`numericValues[i * numericNames.count + f]`), with NaN for a missing
/// value (input values are always finite, so NaN is free to mean "missing"); categorical features are text, nil
/// when missing.
public struct Audience: Sendable {
  /// The file it was read from, for messages.
  public let file: String
  /// The unit id column.
  public let unitColumn: String
  /// The units' ids, in order; empty when the reader was asked not to keep them.
  public internal(set) var units: [String]
  /// Units read (kept).
  public internal(set) var count: Int
  /// Units in the audience, both halves: `count`, or more when only the discovery half was kept.
  public var totalCount: Int
  /// The salt of the split whose discovery half alone was kept, nil when every unit was.
  public var discoveryOnlySalt: String?
  public let numericNames: [String]
  /// `numericValues[i * numericNames.count + f]`: feature f of unit i, NaN when missing.
  public internal(set) var numericValues: [Double]
  public let categoricalNames: [String]
  /// `categorical[f][i]`: feature f of unit i, nil when missing.
  public var categorical: [[String?]]
  /// Set by ``AudienceReader`` for a regular file: where the numeric values can be read again, so that a
  /// discovery run may scale them in place and still take the segment means from the values as read.
  var source: AudienceSource?

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
    self.count = units.count
    self.totalCount = units.count
    self.discoveryOnlySalt = nil
    self.numericNames = numericNames
    self.numericValues = Audience.rows(numeric, count: units.count)
    self.categoricalNames = categoricalNames
    self.categorical = categorical
    self.source = nil
  }

  /// An empty audience for the reader to fill.
  init(file: String, unitColumn: String, numericNames: [String], categoricalNames: [String]) {
    self.file = file
    self.unitColumn = unitColumn
    self.units = []
    self.count = 0
    self.totalCount = 0
    self.discoveryOnlySalt = nil
    self.numericNames = numericNames
    self.numericValues = []
    self.categoricalNames = categoricalNames
    self.categorical = categoricalNames.map { _ in [] }
    self.source = nil
  }

  /// `numeric[f][i]`: feature f of unit i, NaN when missing (a copy, column by column; setting it replaces every
  /// value).
  public var numeric: [[Double]] {
    get {
      let d = numericNames.count
      return (0..<d).map { f in (0..<count).map { numericValues[$0 * d + f] } }
    }
    set {
      precondition(newValue.count == numericNames.count && newValue.allSatisfy { $0.count == count }, "shape")
      numericValues = Audience.rows(newValue, count: count)
      source = nil  // no longer the values of the file
    }
  }

  private static func rows(_ columns: [[Double]], count: Int) -> [Double] {
    let d = columns.count
    var values = [Double](repeating: 0, count: count * d)
    for (f, column) in columns.enumerated() {
      for (i, value) in column.enumerated() { values[i * d + f] = value }
    }
    return values
  }
}

/// Where an audience's numeric values came from: the file (and the state it was read in), the columns, and which
/// of its records were kept.
struct AudienceSource: Sendable {
  let path: String
  let identity: FileIdentity
  /// Bit r: whether the r-th data record (blank lines not counted) was kept.
  let kept: [UInt64]
  let records: Int
}
