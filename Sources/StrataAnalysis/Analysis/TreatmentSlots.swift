/// Treatment names numbered in order of first appearance, looked up one comparison at a time.
///
/// A metric's comparisons come segment by segment, each segment's treatments in the same order, so the name after
/// the last one found is tried first: one string comparison instead of hashing the name (two dictionary lookups
/// per comparison cost 0.6 G instructions at 20,000 segments × 16 variants). The dictionary answers when that
/// guess misses, so the slots are those of a plain dictionary whatever the order.
struct TreatmentSlots {
  /// The names, in slot order.
  private(set) var names: [String] = []
  private var slots: [String: Int] = [:]
  /// The slot tried first: the one after the last found.
  private var next = 0

  /// The slot of `name`, given the next slot at the end when it is new.
  mutating func slot(adding name: String) -> Int {
    if let found = slot(of: name) { return found }
    slots[name] = names.count
    names.append(name)
    next = 0
    return names.count - 1
  }

  /// The slot of `name`; nil when it has none.
  mutating func slot(of name: String) -> Int? {
    let found: Int
    if next < names.count && names[next] == name {
      found = next
    } else if let slot = slots[name] {
      found = slot
    } else {
      return nil
    }
    next = found + 1 < names.count ? found + 1 : 0
    return found
  }
}
