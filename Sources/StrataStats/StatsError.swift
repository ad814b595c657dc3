/// An error from the statistics layer.
///
/// Two kinds reach callers: bad input (a value out of range, inconsistent data), which names the field
/// and the value, and numerical failure (a GSL status, a NaN, no convergence), which names the routine.
public enum StatsError: Error, Sendable, Hashable, CustomStringConvertible {
  /// An input value is out of range or inconsistent. `field` names the value (`alpha`, `control.count`), not
  /// where it came from: the CLI maps it to its flag, the experiment loader to its file field.
  case invalidInput(field: String, message: String)
  /// A numerical routine failed: a GSL status other than success, a NaN, or no convergence.
  case numerical(routine: String, status: Int32, message: String)

  public var description: String {
    switch self {
    case .invalidInput(let field, let message):
      return "\(field): \(message)"
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
