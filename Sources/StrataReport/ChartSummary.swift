/// What the forest plot's, the boundary chart's and the lift chart's descriptions (`<desc>`, read out by a screen
/// reader) share when a chart has too many rows to read each out: the rows ranked by a value, and the sentences
/// that name the highest two and the lowest.
enum ChartSummary {
  /// Rows a chart's description reads out one by one; beyond, it summarises them.
  static let describedInFull = 4

  /// The positions of `values` from the highest to the lowest, equal values in their order.
  static func ranked(_ values: [Double]) -> [Int] {
    values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
  }

  /// "Highest: a; b" and, with more than two values, "Lowest: c": the positions of the two highest of `values`
  /// and of the lowest, each worded by `text` and said significant where `significant` says so (`list`); nothing
  /// when `values` is empty.
  static func highestAndLowest(
    _ values: [Double], significant: ((Int) -> Bool)? = nil, _ text: (Int) -> String
  ) -> [String] {
    let order = ranked(values)
    guard let lowest = order.last else { return [] }
    var sentences = [list("Highest", Array(order.prefix(2)), significant: significant, text)]
    if order.count > 2 { sentences.append(list("Lowest", [lowest], significant: significant, text)) }
    return sentences
  }

  /// "Label: a; b", the items worded by `text`: "Label, both significant: a; b" when every one of several is
  /// significant, else each significant one followed by "(significant)".
  static func list(_ label: String, _ items: [Int], significant: ((Int) -> Bool)?, _ text: (Int) -> String) -> String {
    let marked = items.map { significant?($0) ?? false }
    let listed = items.map(text)
    if items.count > 1 && !marked.contains(false) {
      return "\(label), \(items.count == 2 ? "both" : "all") significant: \(listed.joined(separator: "; "))"
    }
    return "\(label): "
      + zip(listed, marked).map { $1 ? "\($0) (significant)" : $0 }.joined(separator: "; ")
  }
}
