import ArgumentParser

/// A comma-separated list of numbers (`"120,880"`).
///
/// Syntax errors are usage errors (exit 64).
struct NumberList: ExpressibleByArgument, Sendable {
  var values: [Double]

  init?(argument: String) {
    let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
    var values: [Double] = []
    for part in parts {
      guard let v = Double(part.trimmingCharacters(in: " ")), v.isFinite else { return nil }
      values.append(v)
    }
    guard !values.isEmpty else { return nil }
    self.values = values
  }

  static var defaultCompletionKind: CompletionKind { .default }
}

/// A table: rows separated by `;`, cells by `,` (`"120,880;150,850"`).
///
/// Ragged tables parse and are rejected later with exit status 1, as the contract says.
struct NumberTable: ExpressibleByArgument, Sendable {
  var rows: [[Double]]

  init?(argument: String) {
    var rows: [[Double]] = []
    for row in argument.split(separator: ";", omittingEmptySubsequences: false) {
      guard let list = NumberList(argument: String(row)) else { return nil }
      rows.append(list.values)
    }
    self.rows = rows
  }
}

extension StringProtocol {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return String(s)
  }
}
