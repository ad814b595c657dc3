/// A definition, table name or option that cannot be turned into a safe query, or a database that refused.
public struct WarehouseError: Error, Sendable, Hashable, CustomStringConvertible {
  /// One sentence saying what is wrong and where.
  public let message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
