/// An error from the statistics layer.
///
/// Two kinds reach callers: bad input (a value out of range, inconsistent data), which names the field
/// and the value, and numerical failure (a GSL status, a NaN, no convergence), which names the routine.
public enum StatsError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
  /// An input value is out of range or inconsistent. `field` names the value (`alpha`, `control.count`), not
  /// where it came from: the CLI maps it to its flag, the experiment loader to its file field.
  case invalidInput(field: String, message: String)
  /// A numerical routine failed: a GSL status other than success, a NaN, or no convergence.
  case numerical(routine: String, status: Int32, message: String)

  public var description: String {
    switch self {
    case .invalidInput(let field, let message):
      return "\(field): \(message)"
    case .numerical(_, _, let message):
      // What the user can act on; the routine and status are in `debugDescription`.
      return "numerical failure: these numbers are beyond what the calculation can handle (\(message)); "
        + "check for an extreme value (a tiny alpha or look fraction, a huge count, mean or spread)"
    }
  }

  /// The description with the failing routine and its status, for a developer.
  public var debugDescription: String {
    switch self {
    case .invalidInput: return description
    case .numerical(let routine, let status, let message):
      return "numerical failure in \(routine) (status \(status)): \(message)"
    }
  }
}

extension StatsError {
  /// Throws `invalidInput` unless `condition` holds.
  @inlinable
  public static func require(
    _ condition: Bool, _ field: @autoclosure () -> String, _ message: @autoclosure () -> String
  ) throws(StatsError) {
    if !condition { throw .invalidInput(field: field(), message: message()) }
  }
}

extension StatsError {
  /// Throws `invalidInput` unless `p` is a probability strictly between 0 and 1 (a quantile's argument).
  static func requireProbability(_ p: Double) throws(StatsError) {
    try require(p > 0 && p < 1, "probability", "must be strictly between 0 and 1, got \(p)")
  }

  /// Throws `invalidInput` unless `degreesOfFreedom` is positive and finite.
  static func requireDegreesOfFreedom(_ degreesOfFreedom: Double) throws(StatsError) {
    try require(
      degreesOfFreedom > 0 && degreesOfFreedom.isFinite, "degrees of freedom",
      "must be positive and finite, got \(degreesOfFreedom)")
  }
}

extension StatsError {
  /// The largest count any test accepts: 2⁵³ − 1.
  ///
  /// A double holds every whole number up to 2⁵³, but 2⁵³ + 1 reads back as 2⁵³, so from 2⁵³ on a count
  /// may not be the number the user typed.
  public static let largestCount: Double = 9_007_199_254_740_991

  /// Throws `invalidInput` unless `x` is a whole number from `minimum` to 2⁵³ − 1; every count in every
  /// test goes through here, so each refuses the same counts with the same sentence.
  ///
  /// The check is inlined into each caller and the sentence made out of line: as one function, its call and the
  /// frame its sentence needs cost about 50 instructions a count (several per comparison of every segment).
  @inline(__always)
  public static func requireCount(_ x: Double, _ field: @autoclosure () -> String, minimum: Double = 0)
    throws(StatsError)
  {
    guard isCount(x, minimum: minimum) else { throw countError(x, field: field(), minimum: minimum) }
  }

  /// Whether `requireCount` accepts `x`, without making its error: for a caller that only needs to know whether
  /// there would be one.
  @inline(__always)
  static func isCount(_ x: Double, minimum: Double = 0) -> Bool {
    x.isFinite && x >= minimum && isWhole(x) && x <= largestCount
  }

  /// The error `requireCount` throws for `x`.
  @inline(never)
  static func countError(_ x: Double, field: String, minimum: Double) -> StatsError {
    let shown = x.isFinite && abs(x) < 1e16 && x == x.rounded() ? String(Int64(x)) : "\(x)"
    return .invalidInput(
      field: field,
      message: "must be a whole number from \(Int64(minimum)) to 2⁵³ − 1 (9007199254740991), got \(shown)")
  }

  /// `x == x.rounded()` for a finite `x`, without libm's `round` (a call for every count of every test): below 2⁵²
  /// in magnitude, `x` is whole when converting it to an integer and back loses nothing; from 2⁵² on every double is
  /// whole.
  @inline(__always)
  static func isWhole(_ x: Double) -> Bool {
    x.magnitude < 4_503_599_627_370_496 ? Double(Int64(x)) == x : true
  }
}
