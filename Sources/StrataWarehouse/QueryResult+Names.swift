extension QueryResult.Value {
  /// The index in `names` of the name this value holds (spaces around it ignored, as the CSV reader does), or nil:
  /// a result row's variant or segment.
  func index(in names: [String]) -> Int? {
    guard let text else { return nil }
    var trimmed = Substring(text)
    while trimmed.first == " " { trimmed.removeFirst() }
    while trimmed.last == " " { trimmed.removeLast() }
    return names.firstIndex { $0 == trimmed }
  }
}
