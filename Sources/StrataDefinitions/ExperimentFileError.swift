/// A problem in an experiment file, located for the person fixing it: `file:line: field: message`.
public struct ExperimentFileError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The file as given (path or name).
  public var file: String
  /// 1-based line of the offending value (or of the enclosing mapping when the field is missing).
  public var line: Int
  /// Dotted path of the field (`segments[1].rule`); empty for syntax errors.
  public var field: String
  public var message: String

  public init(file: String, line: Int, field: String, message: String) {
    self.file = file
    self.line = line
    self.field = field
    self.message = message
  }

  public var description: String {
    field.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(field): \(message)"
  }
}
