import StrataAnalysis

/// One row of a results CSV as `JSONMembers`: each member's value written as its cell, nested objects' members
/// under their flattened keys (`adjustment_adjusted_se`), as the JSON tree of the row flattened would give them
/// (a null `bayesian` or `adjustment` is left out; other nulls are empty cells).
struct ResultsCSVRow: JSONMembers {
  private let table: ResultsCSVTable
  /// The table's `cells` (a copy shares its buffer), written without reading the table's property each time.
  private var cells: JSONByteWriter
  /// Set for the objects of an array member (`addArray`): their members collected as values, for the array's one
  /// cell (`ResultsCSV.cell`), as the tree has them.
  private var tree: JSONMemberList?
  /// The object the next members are in (index into `table.prefixes`).
  private var prefix = 0
  /// The number of members and objects added so far to the object being added.
  private var position = 0

  init(table: ResultsCSVTable) {
    self.table = table
    cells = table.cells
  }

  /// The column of the member `key` here, registered when new; nil for a null that is left out.
  private mutating func column(_ key: StaticString, null: Bool) -> Int? {
    let here = position
    position &+= 1
    guard key.hasPointerRepresentation else { return column(named: key.description, null: null) }
    let identity = UnsafeRawPointer(key.utf8Start)
    if let event = table.event(at: here, kind: ResultsCSVTable.member, prefix: prefix, key: identity) {
      return null && event.skippable ? nil : event.result
    }
    // A null `bayesian` or `adjustment` where other rows have the object is not remembered (the object's event
    // stays): left out without making its name, which cost about 420 instructions a row twice at 20,000 segments.
    if null && Self.isSkippable(key, prefix: prefix) { return nil }
    let name = table.prefixes[prefix] + key.description
    let skippable = Self.isSkippable(name)
    if null && skippable { return nil }
    let column = table.column(name)
    table.remember(
      ResultsCSVTable.Event(
        kind: ResultsCSVTable.member, prefix: prefix, key: identity, result: column, skippable: skippable),
      at: here)
    return column
  }

  /// The column of a member named by data (or by a tree's key) here.
  private func column(named name: String, null: Bool) -> Int? {
    let name = table.prefixes[prefix] + name
    if null && Self.isSkippable(name) { return nil }
    return table.column(name)
  }

  private static func isSkippable(_ name: String) -> Bool { name == "bayesian" || name == "adjustment" }

  /// `isSkippable` of the member `key` (a literal with bytes to point at) in the object `prefix`: a nested member's
  /// name has its objects' `_` in it.
  private static func isSkippable(_ key: StaticString, prefix: Int) -> Bool {
    guard prefix == 0 else { return false }
    return same(key, "bayesian") || same(key, "adjustment")
  }

  /// Whether two literals with bytes to point at have the same bytes.
  private static func same(_ a: StaticString, _ b: StaticString) -> Bool {
    a.utf8CodeUnitCount == b.utf8CodeUnitCount
      && UnsafeBufferPointer(start: a.utf8Start, count: a.utf8CodeUnitCount).elementsEqual(
        UnsafeBufferPointer(start: b.utf8Start, count: b.utf8CodeUnitCount))
  }

  private mutating func null(_ key: StaticString) {
    guard let column = column(key, null: true) else { return }
    table.setCell(column, from: cells.buffer.count)
  }

  private mutating func text(_ key: StaticString, _ text: String) {
    guard let column = column(key, null: false) else { return }
    let start = cells.buffer.count
    cells.append(text)
    Self.guardText(cells, from: start)
    table.setCell(column, from: start)
  }

  /// Makes the text written to `cells` since `start` read as `CSVCell.text` of it: most text (names, tests,
  /// notes) is a cell as it is, and is left so; text that starts like a formula or holds a comma, quote or line
  /// break is quoted as `CSVCell.text` quotes it.
  ///
  /// Written as bytes and checked in place, where a `String` per text cell (`CSVCell.text`) and the copy of it cost
  /// about 1,000 instructions a cell (4,000 for `notes`) at 2,000 segments.
  static func guardText(_ cells: JSONByteWriter, from start: Int) {
    let written = cells.buffer.written
    guard start < written.count else { return }
    let guarded = CSVCell.startsFormula(written[start])
    // Every byte looked at, without a branch (a loop the compiler can vectorize).
    var quotes = 0
    var breaks: UInt8 = 0
    for byte in UnsafeBufferPointer(rebasing: written[start...]) {
      quotes &+= byte == 0x22 ? 1 : 0
      breaks |= (byte == 0x2C ? 1 : 0) | (byte == 0x0A ? 1 : 0) | (byte == 0x0D ? 1 : 0)
    }
    guard guarded || quotes > 0 || breaks != 0 else { return }
    // `CSVCell.text`'s quoting: `"` (`"'` under the formula guard), the text with each quote byte doubled, `"`.
    // (Through a `String`, with Foundation's `replacingOccurrences` as it was, about 40,000 instructions a cell
    // even with no quote to double: 1.2 G for the 29,891 notes with a comma at 20,000 segments × 3 variants.)
    let count = written.count - start
    if quotes == 0 {
      // Nothing to double (a note with a comma, as a rule): the text moved up past the opening, in place.
      let opening = guarded ? 2 : 1
      let text = cells.buffer.reserve(opening + 1) - count
      (text + opening).moveInitialize(from: text, count: count)
      text[0] = UInt8(ascii: "\"")
      if guarded { text[1] = UInt8(ascii: "'") }
      text[opening + count] = UInt8(ascii: "\"")
      cells.buffer.count += opening + 1
      return
    }
    let text = Array(UnsafeBufferPointer(rebasing: written[start...]))
    cells.buffer.count = start
    var cells = cells
    cells.append(UInt8(ascii: "\""))
    if guarded { cells.append(UInt8(ascii: "'")) }
    for byte in text {
      if byte == 0x22 { cells.append(byte) }
      cells.append(byte)
    }
    cells.append(UInt8(ascii: "\""))
  }

  /// A value from a tree: an object's members flattened under `name`, anything else one cell.
  private mutating func add(named name: String, _ value: JSONValue) {
    position &+= 1
    if case .object(let members) = value {
      let outer = (prefix, position)
      prefix = table.prefix(table.prefixes[prefix] + name + "_")
      position = 0
      for (inner, innerValue) in members { add(named: inner, innerValue) }
      (prefix, position) = outer
      return
    }
    var null = false
    if case .null = value { null = true }
    guard let column = column(named: name, null: null) else { return }
    let start = cells.buffer.count
    cells.append(ResultsCSV.cell(value))
    table.setCell(column, from: start)
  }

  mutating func add(_ key: StaticString, _ value: JSONValue) {
    if tree != nil {
      tree?.add(key, value)
      return
    }
    switch value {
    case .object(let members):
      addObject(key) { row in
        for (inner, innerValue) in members { row.add(named: inner, innerValue) }
      }
    case .null: null(key)
    default:
      guard let column = column(key, null: false) else { return }
      let start = cells.buffer.count
      cells.append(ResultsCSV.cell(value))
      table.setCell(column, from: start)
    }
  }

  mutating func add(_ key: StaticString, string: String) {
    if tree != nil {
      tree?.add(key, string: string)
      return
    }
    text(key, string)
  }

  mutating func add(_ key: StaticString, string: String?) {
    if tree != nil {
      tree?.add(key, string: string)
      return
    }
    guard let string else { return null(key) }
    text(key, string)
  }

  mutating func add(_ key: StaticString, finite: Double?) {
    if tree != nil {
      tree?.add(key, finite: finite)
      return
    }
    guard let finite, finite.isFinite else { return null(key) }
    guard let column = column(key, null: false) else { return }
    let start = cells.buffer.count
    cells.appendNumber(finite)
    table.setCell(column, from: start)
  }

  mutating func add(_ key: StaticString, integer: Int) {
    if tree != nil {
      tree?.add(key, integer: integer)
      return
    }
    guard let column = column(key, null: false) else { return }
    let start = cells.buffer.count
    cells.appendInteger(Int64(integer))
    table.setCell(column, from: start)
  }

  mutating func add(_ key: StaticString, bool: Bool) {
    if tree != nil {
      tree?.add(key, bool: bool)
      return
    }
    guard let column = column(key, null: false) else { return }
    let start = cells.buffer.count
    cells.append(bool ? "true" as StaticString : "false")
    table.setCell(column, from: start)
  }

  mutating func add(_ key: StaticString, strings: [String]) {
    if tree != nil {
      tree?.add(key, strings: strings)
      return
    }
    guard let column = column(key, null: false) else { return }
    let start = cells.buffer.count
    for (index, string) in strings.enumerated() {
      if index > 0 { cells.append("; " as StaticString) }
      cells.append(string)
    }
    Self.guardText(cells, from: start)
    table.setCell(column, from: start)
  }

  mutating func add(name: String, integer: Int) {
    if tree != nil {
      tree?.add(name: name, integer: integer)
      return
    }
    add(named: name, .integer(integer))
  }

  mutating func add(name: String, finite: Double?) {
    if tree != nil {
      tree?.add(name: name, finite: finite)
      return
    }
    add(named: name, .finite(finite))
  }

  mutating func addObject(_ key: StaticString, _ members: (inout ResultsCSVRow) -> Void) {
    if tree != nil {
      let object = treeObject(members)
      tree?.add(key, object)
      return
    }
    let here = position
    position &+= 1
    let child: Int
    if key.hasPointerRepresentation {
      let identity = UnsafeRawPointer(key.utf8Start)
      if let event = table.event(at: here, kind: ResultsCSVTable.object, prefix: prefix, key: identity) {
        child = event.result
      } else {
        child = table.prefix(table.prefixes[prefix] + key.description + "_")
        table.remember(
          ResultsCSVTable.Event(
            kind: ResultsCSVTable.object, prefix: prefix, key: identity, result: child, skippable: false),
          at: here)
      }
    } else {
      child = table.prefix(table.prefixes[prefix] + key.description + "_")
    }
    let outer = (prefix, position)
    prefix = child
    position = 0
    members(&self)
    (prefix, position) = outer
  }

  mutating func addArray<Items: Sequence>(
    _ key: StaticString, objects items: Items, _ object: (Items.Element, inout ResultsCSVRow) -> Void
  ) {
    // As the tree has it: an array of objects, one cell.
    let array = JSONValue.array(items.map { item in treeObject { object(item, &$0) } })
    add(key, array)
  }

  /// The object whose members `members` adds, as a value.
  private func treeObject(_ members: (inout ResultsCSVRow) -> Void) -> JSONValue {
    var row = ResultsCSVRow(table: table)
    row.tree = JSONMemberList()
    members(&row)
    return .object(row.tree?.members ?? [])
  }
}
