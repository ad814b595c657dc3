import StrataAssignment

/// A column a command reads that the header names more than once: which of them holds the values is
/// ambiguous, so it is refused (the readers took the first one, silently) with one sentence naming it and its
/// fields.
///
/// Only the columns read are checked: a repeated column nobody reads (a spreadsheet's two `notes`) does not
/// matter.
public enum RepeatedColumns {
  /// The sentence for the first of `read` (in that order) that `header` holds more than once, nil when none.
  public static func problem(reading read: [String], in header: [String]) -> String? {
    var checked: Set<String> = []
    for name in read where !name.isEmpty && checked.insert(name).inserted {
      let fields = header.indices.filter { header[$0] == name }.map { $0 + 1 }
      guard fields.count > 1 else { continue }
      let list = fields.dropLast().map(String.init).joined(separator: ", ") + " and \(fields[fields.count - 1])"
      return "the header has the column \"\(DisplayText.echo(name))\" \(fields.count) times (fields \(list)), "
        + "so which one to read is ambiguous: rename or remove the others"
    }
    return nil
  }
}
