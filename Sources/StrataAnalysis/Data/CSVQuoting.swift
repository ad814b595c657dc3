extension CSVScanner {
  /// Why a record's quoting is malformed.
  ///
  /// The record is still handed to the visitor (best-effort unquoted), so a caller can report it with its line and go
  /// on.
  public enum Malformation: Sendable, Hashable, CustomStringConvertible {
    /// A `"` in the middle of an unquoted field (kept as a literal quote); `field` is 1-based.
    case quoteInsideUnquotedField(field: Int)
    /// Text between a closing quote and the next separator, as in `"a"b`; `field` is 1-based.
    case textAfterClosingQuote(field: Int)
    /// A quoted field still open at the end of the file.
    case unclosedQuote

    public var description: String {
      switch self {
      case .quoteInsideUnquotedField(let field): "a quote inside an unquoted field (field \(field))"
      case .textAfterClosingQuote(let field): "text after a closing quote (field \(field))"
      case .unclosedQuote: "a quoted field that is not closed before the end of the file"
      }
    }
  }

  /// The quoting state machine of one record, byte by byte (line ends outside quotes are handled by the caller).
  ///
  /// A quote opens a quoted field only at the start of a field (carriage returns aside); inside quotes `""` is one
  /// quote; a quote elsewhere is literal. Carriage returns outside quotes are dropped.
  struct QuoteState {
    enum Action { case keep, drop, separator, literalQuote, textAfterClosingQuote }

    private(set) var inQuotes = false
    private var afterQuote = false
    private var atFieldStart = true

    @inline(__always)
    mutating func step(_ byte: UInt8) -> Action {
      if inQuotes {
        if byte == UInt8(ascii: "\"") {
          inQuotes = false
          afterQuote = true
          return .drop
        }
        return .keep
      }
      switch byte {
      case UInt8(ascii: ","):
        atFieldStart = true
        afterQuote = false
        return .separator
      case UInt8(ascii: "\r"):
        return .drop
      case UInt8(ascii: "\""):
        if afterQuote {  // the second quote of a doubled "" inside a quoted field
          inQuotes = true
          afterQuote = false
          return .keep
        }
        if atFieldStart {
          inQuotes = true
          atFieldStart = false
          return .drop
        }
        return .literalQuote
      default:
        atFieldStart = false
        return afterQuote ? .textAfterClosingQuote : .keep
      }
    }
  }
}
