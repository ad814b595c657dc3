/// The members of one JSON object, added in order, by a function that serves two destinations: `JSONMemberList`
/// collects them into a `JSONValue` (the tree the service returns and `ResultsCSV` flattens), `JSONMemberWriter`
/// writes their bytes at once (`analyze --json`, where an entry of `results[]` is about 45 numbers and 80,000
/// of them at 20,000 segments would each be a tree of boxed values made and freed just to be printed).
///
/// Because one function adds the members to either, the tree and the streamed bytes cannot drift apart;
/// `JSONMemberWriter` writes what `JSONValue.write` writes for the same members (tested on whole analyses).
protocol JSONMembers {
  /// A member whose value is any JSON value (nested arrays and objects included).
  mutating func add(_ key: StaticString, _ value: JSONValue)
  mutating func add(_ key: StaticString, string: String)
  /// `null` when nil.
  mutating func add(_ key: StaticString, string: String?)
  /// As `JSONValue.finite`: `null` when nil, NaN or infinite.
  mutating func add(_ key: StaticString, finite: Double?)
  mutating func add(_ key: StaticString, integer: Int)
  mutating func add(_ key: StaticString, bool: Bool)
  /// An array of strings.
  mutating func add(_ key: StaticString, strings: [String])
  /// A member named by data (a variant or segment name, escaped as needed) whose value is a whole number.
  mutating func add(name: String, integer: Int)
  /// A member named by data whose value is a number, as `add(_:finite:)`.
  mutating func add(name: String, finite: Double?)
  /// A member whose value is an object, its members added by `members`.
  mutating func addObject(_ key: StaticString, _ members: (inout Self) -> Void)
  /// A member whose value is an array of objects, one per item, each one's members added by `object`.
  mutating func addArray<Items: Sequence>(
    _ key: StaticString, objects items: Items, _ object: (Items.Element, inout Self) -> Void)
}

/// Collects an object's members as `JSONValue`s.
struct JSONMemberList: JSONMembers {
  private(set) var members: [(String, JSONValue)] = []

  /// The object whose members `add` adds.
  static func object(_ add: (inout JSONMemberList) -> Void) -> JSONValue {
    var list = JSONMemberList()
    add(&list)
    return .object(list.members)
  }

  mutating func add(_ key: StaticString, _ value: JSONValue) { members.append((key.description, value)) }
  mutating func add(_ key: StaticString, string: String) { add(key, .string(string)) }
  mutating func add(_ key: StaticString, string: String?) { add(key, string.map(JSONValue.string) ?? .null) }
  mutating func add(_ key: StaticString, finite: Double?) { add(key, .finite(finite)) }
  mutating func add(_ key: StaticString, integer: Int) { add(key, .integer(integer)) }
  mutating func add(_ key: StaticString, bool: Bool) { add(key, .bool(bool)) }
  mutating func add(_ key: StaticString, strings: [String]) { add(key, .array(strings.map(JSONValue.string))) }
  mutating func add(name: String, integer: Int) { members.append((name, .integer(integer))) }
  mutating func add(name: String, finite: Double?) { members.append((name, .finite(finite))) }
  mutating func addObject(_ key: StaticString, _ members: (inout JSONMemberList) -> Void) {
    add(key, Self.object(members))
  }
  mutating func addArray<Items: Sequence>(
    _ key: StaticString, objects items: Items, _ object: (Items.Element, inout JSONMemberList) -> Void
  ) {
    add(key, .array(items.map { item in Self.object { object(item, &$0) } }))
  }
}

/// Writes an object's members straight into a `JSONByteWriter`, as `JSONValue.writeObject` writes them.
///
/// A pretty member with a number, a whole number, a bool or a string is written by one call that is not inlined
/// (`member(_:number:)` and the like): its start and value in one reservation where it can, the bytes counted once.
struct JSONMemberWriter: JSONMembers {
  /// Shares its bytes with the writer given to `writeObject` (copies of a `JSONByteWriter` share one buffer).
  private var out: JSONByteWriter
  private let pretty: Bool
  /// The indent of the object being written (its members are one deeper).
  private var indent: Int
  /// The byte before the next member of the object being written: `{` until one is written, then `,`.
  private var opening = UInt8(ascii: "{")

  /// Writes the object whose members `add` adds, at `indent`, into `out`.
  static func writeObject(
    to out: inout JSONByteWriter, pretty: Bool, indent: Int, _ add: (inout JSONMemberWriter) -> Void
  ) {
    var writer = JSONMemberWriter(out: out, pretty: pretty, indent: indent)
    add(&writer)
    writer.close()
  }

  private init(out: JSONByteWriter, pretty: Bool, indent: Int) {
    self.out = out
    self.pretty = pretty
    self.indent = indent
  }

  /// Whether `key` can start a member in one write (`appendMemberStart`): pretty output and a literal with bytes
  /// to point at (any literal longer than one character).
  private func fast(_ key: StaticString) -> Bool { pretty && key.hasPointerRepresentation }

  /// `{` or `,`, the line break and indent, and `"key": `; pretty, in one write (`appendMemberStart`).
  @inline(never)
  private mutating func key(_ key: StaticString) {
    guard fast(key) else {
      startMember()
      out.appendKey(key, pretty: pretty)
      return
    }
    if indent == 0 { out.flushIfFull() }
    out.appendMemberStart(opening, indent: indent + 1, key: key)
    opening = UInt8(ascii: ",")
  }

  /// `{` or `,` and the line break and indent before a member's key; a top-level member first hands on the
  /// bytes so far if they fill a chunk.
  private mutating func startMember() {
    if indent == 0 { out.flushIfFull() }
    out.append(opening)
    if pretty { out.newline(indent: indent + 1) }
    opening = UInt8(ascii: ",")
  }

  private mutating func close() {
    if opening == UInt8(ascii: "{") {
      out.append(UInt8(ascii: "{"))
    } else if pretty {
      out.newline(indent: indent)
    }
    out.append(UInt8(ascii: "}"))
  }

  /// `: ` (`:` when not `pretty`) after a member's name.
  private mutating func colon() {
    out.append(UInt8(ascii: ":"))
    if pretty { out.append(UInt8(ascii: " ")) }
  }

  /// A member whose value is a number, or `null` when nil.
  @inline(never)
  private mutating func member(_ key: StaticString, number: Double?) {
    guard fast(key) else {
      self.key(key)
      if let number { out.appendNumber(number) } else { out.appendNull() }
      return
    }
    if indent == 0 { out.flushIfFull() }
    out.appendMember(opening, indent: indent + 1, key: key, number: number)
    opening = UInt8(ascii: ",")
  }

  /// A member whose value is a whole number.
  @inline(never)
  private mutating func member(_ key: StaticString, integer: Int) {
    guard fast(key) else {
      self.key(key)
      out.appendInteger(Int64(integer))
      return
    }
    if indent == 0 { out.flushIfFull() }
    out.appendMember(opening, indent: indent + 1, key: key, integer: Int64(integer))
    opening = UInt8(ascii: ",")
  }

  /// A member whose value is `true` or `false`.
  @inline(never)
  private mutating func member(_ key: StaticString, bool: Bool) {
    guard fast(key) else {
      self.key(key)
      out.append(bool ? "true" as StaticString : "false")
      return
    }
    if indent == 0 { out.flushIfFull() }
    out.appendMember(opening, indent: indent + 1, key: key, bool: bool)
    opening = UInt8(ascii: ",")
  }

  /// A member whose value is a string, or `null` when nil: in one reservation when it needs no escape.
  @inline(never)
  private mutating func member(_ key: StaticString, string: String?) {
    guard fast(key), let string else {
      self.key(key)
      if let string { out.appendQuoted(string) } else { out.appendNull() }
      return
    }
    if indent == 0 { out.flushIfFull() }
    let opening = opening
    let spaces = indent + 1
    let written = string.utf8.withContiguousStorageIfAvailable { utf8 in
      out.appendMember(opening, indent: spaces, key: key, quoting: utf8)
    }
    if written != true {
      out.appendMemberStart(opening, indent: spaces, key: key)
      out.appendQuoted(string)
    }
    self.opening = UInt8(ascii: ",")
  }

  mutating func add(_ key: StaticString, _ value: JSONValue) {
    self.key(key)
    value.write(to: &out, pretty: pretty, indent: indent + 1)
  }

  mutating func add(_ key: StaticString, string: String) { member(key, string: string) }

  mutating func add(_ key: StaticString, string: String?) { member(key, string: string) }

  mutating func add(_ key: StaticString, finite: Double?) { member(key, number: finite) }

  mutating func add(_ key: StaticString, integer: Int) { member(key, integer: integer) }

  mutating func add(_ key: StaticString, bool: Bool) { member(key, bool: bool) }

  mutating func add(_ key: StaticString, strings: [String]) {
    self.key(key)
    out.writeArray(strings, pretty: pretty, indent: indent + 1) { string, out in out.appendQuoted(string) }
  }

  mutating func add(name: String, integer: Int) {
    startMember()
    out.appendQuoted(name)
    colon()
    out.appendInteger(Int64(integer))
  }

  mutating func add(name: String, finite: Double?) {
    startMember()
    out.appendQuoted(name)
    colon()
    if let finite { out.appendNumber(finite) } else { out.appendNull() }
  }

  mutating func addObject(_ key: StaticString, _ members: (inout JSONMemberWriter) -> Void) {
    self.key(key)
    let (outerIndent, outerOpening) = (indent, opening)
    indent += 1
    opening = UInt8(ascii: "{")
    members(&self)
    close()
    (indent, opening) = (outerIndent, outerOpening)
  }

  mutating func addArray<Items: Sequence>(
    _ key: StaticString, objects items: Items, _ object: (Items.Element, inout JSONMemberWriter) -> Void
  ) {
    self.key(key)
    let (outerIndent, outerOpening) = (indent, opening)
    // The array's punctuation is `JSONByteWriter.writeArray`'s, through a copy of `out` (the same bytes) so that
    // each item's object can be written by this writer meanwhile.
    var array = out
    array.writeArray(items, pretty: pretty, indent: outerIndent + 1) { item, _ in
      (indent, opening) = (outerIndent + 2, UInt8(ascii: "{"))
      object(item, &self)
      close()
    }
    (indent, opening) = (outerIndent, outerOpening)
  }
}
