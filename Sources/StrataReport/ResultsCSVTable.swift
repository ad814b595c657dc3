import StrataAnalysis

/// The columns and finished rows of a results CSV (`ResultsCSV`), and the cells of the row being added.
///
/// A column is named by its member's key flattened with the keys of the objects around it (`bayesian_ci_low`);
/// columns are numbered in the order first met. A row's cells are written as bytes into `cells` as they come
/// and put in column order when the row ends; a row ends before the columns met in later rows, which are empty
/// in it (commas added when the text is put together).
final class ResultsCSVTable {
  /// What a member or object at one position of a row resolved to, so that the next row, whose members
  /// come in the same order as a rule, finds its column without making and hashing the flattened key.
  struct Event {
    /// `member` or `object`.
    var kind: UInt8
    /// The prefix (index into `prefixes`) of the object the member is in.
    var prefix: Int
    /// The key literal's bytes: a literal's identity (two literals with one address have the same text).
    var key: UnsafeRawPointer
    /// A member's column or an object's prefix.
    var result: Int
    /// The flattened key is `bayesian` or `adjustment`, whose nulls are left out.
    var skippable: Bool
  }
  static let member: UInt8 = 0
  static let object: UInt8 = 1

  // The stored properties are `@exclusivity(unchecked)`, as `JSONBytes`'s are: checked, every cell paid for three
  // to five `swift_beginAccess` calls of about 80 instructions each (with their `swift_endAccess`, about 17,000
  // instructions of the 57,000 a row cost at 2,000 segments × 3 variants). One row is added at a time, on one
  // thread, and no access to one of them overlaps another: the row and the table call each other only between
  // accesses.
  @exclusivity(unchecked) private(set) var columns: [String] = []
  @exclusivity(unchecked) private var columnIndex: [String: Int] = [:]
  /// Flattened keys of objects with their `_` (the row's top level is "").
  @exclusivity(unchecked) private(set) var prefixes: [String] = [""]
  @exclusivity(unchecked) private var prefixIndex: [String: Int] = ["": 0]
  /// By object (prefix) and position in it, what the members and objects there resolved to.
  ///
  /// The latest row that had one there wins. Numbered within each object, a row without the Bayesian summary (a
  /// segment without data) finds the members after it where the rows before had them: numbered through the row,
  /// every member after it missed when such rows alternated (90,455 misses, about 1,000 instructions each, at
  /// 20,000 segments × 3 variants).
  @exclusivity(unchecked) private(set) var events: [[Event]] = []

  /// The row's cells' bytes (each `ResultsCSVRow` writes through a copy, which shares the buffer).
  let cells = JSONByteWriter()
  /// Per column, the start and end of its cell in `cells` (-1: no cell in this row).
  @exclusivity(unchecked) private var slots: [Int] = []
  /// The finished rows, each without a line end, and where each ends with how many columns it has.
  private let rows = JSONByteWriter()
  @exclusivity(unchecked) private var rowEnds: [(end: Int, columns: Int)] = []

  /// The column named `name`, numbered when new.
  func column(_ name: String) -> Int {
    if let index = columnIndex[name] { return index }
    columns.append(name)
    columnIndex[name] = columns.count - 1
    slots.append(-1)
    slots.append(-1)
    return columns.count - 1
  }

  /// The prefix `name` (a flattened object key with its `_`), numbered when new.
  func prefix(_ name: String) -> Int {
    if let index = prefixIndex[name] { return index }
    prefixes.append(name)
    prefixIndex[name] = prefixes.count - 1
    return prefixes.count - 1
  }

  /// The event at `position` of the object `prefix` when it is `kind` for `key`.
  @inline(__always)
  func event(at position: Int, kind: UInt8, prefix: Int, key: UnsafeRawPointer) -> Event? {
    guard prefix < events.count && position < events[prefix].count else { return nil }
    let event = events[prefix][position]
    return event.kind == kind && event.key == key ? event : nil
  }

  /// Remembers `event` at `position` of its object.
  func remember(_ event: Event, at position: Int) {
    while events.count <= event.prefix { events.append([]) }
    while events[event.prefix].count < position {
      events[event.prefix].append(Event(kind: 255, prefix: -1, key: event.key, result: -1, skippable: false))
    }
    if position < events[event.prefix].count {
      events[event.prefix][position] = event
    } else {
      events[event.prefix].append(event)
    }
  }

  /// Marks the bytes written to `cells` since `start` as `column`'s cell (the last one wins).
  @inline(__always)
  func setCell(_ column: Int, from start: Int) {
    slots[2 &* column] = start
    slots[2 &* column &+ 1] = cells.buffer.count
  }

  /// Puts the row's cells in column order, commas between, into `rows`.
  func endRow() {
    let written = cells.buffer.written
    slots.withUnsafeMutableBufferPointer { slots in
      for column in 0..<columns.count {
        if column > 0 { rows.buffer.append(UInt8(ascii: ",")) }
        let start = slots[2 &* column]
        guard start >= 0 else { continue }
        rows.buffer.append(UnsafeBufferPointer(rebasing: written[start..<slots[2 &* column &+ 1]]))
        slots[2 &* column] = -1
      }
    }
    rowEnds.append((rows.buffer.count, columns.count))
    cells.buffer.count = 0
  }

  /// The header and the rows, each row padded with the empty cells of the columns met after it, a line end after
  /// each.
  func text() -> String {
    var out = JSONByteWriter()
    out.append(columns.map(CSVCell.text).joined(separator: ","))
    out.append(UInt8(ascii: "\n"))
    let written = rows.buffer.written
    var start = 0
    for (end, count) in rowEnds {
      out.buffer.append(UnsafeBufferPointer(rebasing: written[start..<end]))
      for _ in count..<columns.count { out.append(UInt8(ascii: ",")) }
      out.append(UInt8(ascii: "\n"))
      start = end
    }
    return out.text
  }
}
