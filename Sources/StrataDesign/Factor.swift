/// One factor of a factorial experiment: a name and its levels, in order.
///
/// The first level is the "low" (−1) level of a two-level factor in a fractional design and the second the
/// "high" (+1) level. Level labels are unique within a factor.
public struct Factor: Sendable, Hashable, Codable {
  public let name: String
  public let levels: [String]

  /// Validates: a non-empty name and at least two distinct, non-empty level labels.
  public init(name: String, levels: [String]) throws(DesignError) {
    try DesignError.require(!name.isEmpty, "factor name", "must not be empty")
    try DesignError.require(
      levels.count >= 2, "factor \(name)", "needs at least 2 levels, got \(levels.count)")
    try DesignError.require(
      !levels.contains(where: \.isEmpty), "factor \(name)", "has an empty level label")
    try DesignError.require(
      Set(levels).count == levels.count, "factor \(name)",
      "has repeated level labels (\(levels.joined(separator: ", ")))")
    self.name = name
    self.levels = levels
  }

  /// A factor whose levels are labelled `1`, `2`, … `levelCount`.
  public init(name: String, levelCount: Int) throws(DesignError) {
    try DesignError.require(
      levelCount >= 2, "factor \(name)", "needs at least 2 levels, got \(levelCount)")
    try DesignError.require(
      levelCount <= 1000, "factor \(name)", "has \(levelCount) levels; at most 1000 are supported")
    try self.init(name: name, levels: (1...levelCount).map(String.init))
  }

  public var levelCount: Int { levels.count }

  /// The index of a level label, or an invalid-input error naming the factor and the label.
  public func levelIndex(of label: String) throws(DesignError) -> Int {
    guard let index = levels.firstIndex(of: label) else {
      throw DesignError(
        field: "factor \(name)",
        message: "has no level \"\(label)\" (levels: \(levels.joined(separator: ", ")))")
    }
    return index
  }
}
