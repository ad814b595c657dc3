/// A name's position in a list of names that is looked up mostly in the list's order: with unique names, the
/// position found last and the one after it are tried before the name is hashed.
///
/// The reports look up each comparison's segment (its position in the plan, or in a treatment's partial pooling),
/// and the comparisons come segment by segment in that order as a rule. A dictionary lookup of each comparison's
/// segment cost about 360 instructions: 100 M of the two reports' 161 M of ranking (`ReportSegments`) and 55.8 M of
/// the results CSV's shrunken estimates (`ShrunkenSegments`) at 20,000 segments × 3 variants.
struct OrderedLookup {
  let names: [String]
  /// A name's first position in `names`.
  let position: [String: Int]
  /// No name repeats: a name's position is its first.
  let unique: Bool
  /// The position found last (-1: none yet).
  private var last = -1

  init(_ names: [String]) {
    self.names = names
    position = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
    unique = position.count == names.count
  }

  /// The first position of `name` in `names`; nil when it is not there.
  mutating func index(of name: String) -> Int? {
    if unique {
      if last >= 0 && names[last] == name { return last }
      if last + 1 < names.count && names[last + 1] == name {
        last += 1
        return last
      }
    }
    guard let found = position[name] else { return nil }
    last = found
    return found
  }
}
