/// Invalid data or definition input: names the file, the line when known, and what is wrong.
public struct DataError: Error, Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var line: Int?
  public var message: String
  /// What the caller can do about it, named by the caller (``description(naming:)``).
  public var hint: ErrorHint?

  public init(file: String, line: Int?, message: String, hint: ErrorHint? = nil) {
    self.file = file
    self.line = line
    self.message = message
    self.hint = hint
  }

  public var description: String { description(naming: \.text) }

  /// The sentence with the hint in the caller's words (`name` returns the end of the sentence).
  public func description(naming name: (ErrorHint) -> String) -> String {
    let text = message + (hint.map(name) ?? "")
    let file = StandardInput.displayName(file)
    if let line { return "\(file):\(line): \(text)" }
    return "\(file): \(text)"
  }
}
