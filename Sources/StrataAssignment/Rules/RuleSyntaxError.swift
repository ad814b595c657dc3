/// A segment, eligibility or consent rule that does not parse: the 1-based column (in Unicode scalars)
/// where the problem is and what was expected there.
public struct RuleSyntaxError: Error, CustomStringConvertible, Sendable, Hashable {
  /// 1-based column of the offending character or token.
  public var column: Int
  /// What is wrong (`expected a value after "==", found end of rule`).
  public var message: String

  public init(column: Int, message: String) {
    self.column = column
    self.message = message
  }

  public var description: String { "column \(column): \(message)" }
}
