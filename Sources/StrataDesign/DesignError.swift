/// A design that cannot be built: the value (`factors`, `fraction`, `generators`, `spending`) and a
/// sentence saying what is wrong with it.
///
/// Names values, never flags or file fields: the CLI maps them to its flags, the experiment loader to the
/// file's fields, and StrataStats turns one into `StatsError.invalidInput` with the same field and message.
public struct DesignError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The value, as the library names it (`factors`, `factor subject`, `fraction`).
  public var field: String
  /// What is wrong, naming the offending value.
  public var message: String

  public init(field: String, message: String) {
    self.field = field
    self.message = message
  }

  /// `field: message`, the same sentence as `StatsError.invalidInput`.
  public var description: String { "\(field): \(message)" }

  /// Throws unless `condition` holds.
  @inlinable
  public static func require(
    _ condition: Bool, _ field: @autoclosure () -> String, _ message: @autoclosure () -> String
  ) throws(DesignError) {
    if !condition { throw DesignError(field: field(), message: message()) }
  }
}
