/// An experiment definition that cannot be used: the field (a dotted path such as
/// `segments[1].rule`) and a sentence saying what is wrong with its value.
///
/// Thrown by the model's initializers; the YAML loader in `StrataDefinitions` adds the file and line.
public struct DefinitionError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The field, as a dotted path from the experiment (`variants[2].weight`).
  public var field: String
  /// What is wrong, naming the offending value.
  public var message: String

  public init(field: String, message: String) {
    self.field = field
    self.message = message
  }

  public var description: String { "\(field): \(message)" }
}
