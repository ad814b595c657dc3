/// A problem with the input of segment discovery: the audience file, a flag value, or data that cannot be
/// clustered as asked.
///
/// `file` and `line` name where the problem is when it is in a file; `field` names the column or option.
public struct DiscoveryError: Error, Sendable, Hashable, CustomStringConvertible {
  public let file: String?
  public let line: Int?
  public let field: String
  public let message: String

  public init(file: String? = nil, line: Int? = nil, field: String, message: String) {
    self.file = file
    self.line = line
    self.field = field
    self.message = message
  }

  /// `file:line: field: message`, leaving out the parts that are not known.
  public var description: String {
    var parts: [String] = []
    if let file { parts.append(line.map { "\(file):\($0)" } ?? file) }
    if !field.isEmpty { parts.append(field) }
    parts.append(message)
    return parts.joined(separator: ": ")
  }
}
