import Yams

/// The tree Yams composes, built directly for the plain block YAML that definitions are mostly written in, so
/// that a definition of 20,000 segments does not pay for libyaml's events and Yams' node-by-node composition
/// (about 42,000 instructions a segment of `name` and `rule`, callgrind: 0.84 G of a 6.1 G `analyze` run).
///
/// Goals, in order:
/// 1. **Never a different tree or a different error.** Every text read here gives the tree
///    `Yams.compose(yaml:_:)` gives (the same strings, tags, styles, marks and order), and a text Yams refuses is
///    never read here. So only a conservative subset is read, and anything else, whether valid YAML or not, is
///    declined (`nil`) and composed by Yams as before, which then gives its own tree or error.
/// 2. Fast for the common shape: mappings of plain keys and plain one-line values, lists of such mappings.
///
/// The subset: printable ASCII and line breaks only (no tab, no `\r`, so byte columns are libyaml's columns);
/// blank lines and comments; block mappings whose keys are plain words (`[A-Za-z0-9_][A-Za-z0-9_-]*`, at most
/// 128 bytes) followed by `:` and a space or the line's end; block lists whose items start `- ` with one space;
/// values that are plain one-line scalars (not starting with an indicator, holding no `: `, not ending in `:`;
/// a ` #` starts a comment, trailing spaces dropped) or a block mapping or list on the following lines (more
/// deeply indented, or a list at the key's own indent). Declined: flow collections, quotes, anchors, aliases,
/// tags, block scalars, multi-line plain scalars, empty values, `- ` alone or nested (`- - a`), directives and
/// document markers, a repeated key in a mapping (Yams refuses it with its own error), nesting deeper than 64,
/// and the first content line indented.
///
/// Yams' parts as its `Parser` makes them: a tag per node (`Tag(.implicit, resolver, constructor)`, one instance
/// each: resolving a tag changes it; one constructor shared), scalars `.plain`, mappings and lists `.any` (Yams reads their style from
/// the end event, which has none), marks at the first key (a mapping), at the first `-` (a list), at the first
/// character (a scalar), no anchors. `BlockYAMLTests` compares the trees with Yams' on every definition of the
/// repository and on thousands of seeded edits of them.
enum BlockYAML {
  /// The tree Yams would compose from `yaml` with `resolver` (and the default constructor), or nil when the text
  /// is not in the subset read here.
  static func compose(_ yaml: String, _ resolver: Resolver) -> Node? {
    compose(yaml, resolver, segmentsApart: false)?.root
  }

  /// A line holding something other than spaces and a comment.
  struct Line {
    /// 1-based, as in marks.
    var number: Int
    /// The offset of the line's first byte.
    var base: Int
    /// The column (0-based) where its content starts; for a list item's mapping, the column after `- `.
    var indent: Int
    /// The offset just past its last byte (before the line break).
    var end: Int
  }

  /// The content lines of `bytes`, or nil when a byte is outside printable ASCII and `\n`.
  static func contentLines(_ bytes: UnsafeBufferPointer<UInt8>) -> [Line]? {
    var lines: [Line] = []
    var number = 1
    var base = 0
    var offset = 0
    let count = bytes.count
    while base <= count {
      var indent = 0
      while base &+ indent < count, bytes[base &+ indent] == UInt8(ascii: " ") { indent &+= 1 }
      offset = base &+ indent
      while offset < count, bytes[offset] != UInt8(ascii: "\n") {
        guard (0x20...0x7E).contains(bytes[offset]) else { return nil }
        offset &+= 1
      }
      let first = base &+ indent
      if first < offset, bytes[first] != UInt8(ascii: "#") {
        lines.append(Line(number: number, base: base, indent: indent, end: offset))
      }
      guard offset < count else { break }
      base = offset &+ 1
      number &+= 1
    }
    return lines
  }

  /// Whether a `Mark` made from a line and column here reads back as Yams' own (`Mark` has no public
  /// initializer, so one is made from its two stored integers); checked once against a mark Yams composed.
  static let marksMatchYams: Bool = {
    guard MemoryLayout<Mark>.size == MemoryLayout<(Int, Int)>.size,
      let node = try? Yams.compose(yaml: "\n\n   a: b\n", .basic), let yams = node.mark
    else { return false }
    let made = mark(line: 3, column: 4)
    return yams.line == 3 && yams.column == 4 && made.line == 3 && made.column == 4
  }()

  /// A mark at a 1-based line and column.
  static func mark(line: Int, column: Int) -> Mark { unsafeBitCast((line, column), to: Mark.self) }
}

/// Builds the tree of `BlockYAML.compose` from its content lines, declining (nil) at the first thing outside
/// the subset (the plain segments' list in BlockYAML+PlainSegments.swift).
struct Composer {
  let bytes: UnsafeBufferPointer<UInt8>
  var lines: [BlockYAML.Line]
  let resolver: Resolver
  let constructor: Constructor
  /// The next line to read.
  var next = 0
  /// Mappings and lists open.
  var depth = 0
  /// Whether a top-level `segments:` list of plain segments is read into `plainSegments` instead of nodes.
  var segmentsApart = false
  /// The top-level `segments:` list, when `segmentsApart` and every item is a plain segment.
  var plainSegments: [BlockYAML.PlainSegment]?

  /// Deeper nesting is left to Yams (libyaml refuses 1,000 levels with an error of its own).
  static let deepest = 64
  /// A longer key is left to Yams (libyaml refuses a simple key over 1,024 characters).
  static let longestKey = 128

  init(bytes: UnsafeBufferPointer<UInt8>, lines: [BlockYAML.Line], resolver: Resolver, constructor: Constructor) {
    self.bytes = bytes
    self.lines = lines
    self.resolver = resolver
    self.constructor = constructor
  }

  mutating func document() -> Node? {
    guard let first = lines.first, first.indent == 0, let root = block() else { return nil }
    return next == lines.count ? root : nil
  }

  func tag() -> Tag { Tag(.implicit, resolver, constructor) }

  /// Whether a line starts a list item (`-` then a space or the line's end).
  func isItem(_ line: BlockYAML.Line) -> Bool {
    let start = line.base &+ line.indent
    return bytes[start] == UInt8(ascii: "-") && (start &+ 1 == line.end || bytes[start &+ 1] == UInt8(ascii: " "))
  }

  /// The mapping or list starting at the next line (at its indent).
  mutating func block() -> Node? {
    guard depth < Self.deepest else { return nil }
    depth &+= 1
    defer { depth &-= 1 }
    let line = lines[next]
    return isItem(line) ? sequence(indent: line.indent, indentless: false) : mapping(indent: line.indent)
  }

  /// The end of a plain key starting at `start` (the offset of its `:`), or nil when none is there.
  func keyEnd(from start: Int, to end: Int) -> Int? {
    guard start < end, isWordByte(bytes[start]), bytes[start] != UInt8(ascii: "-") else { return nil }
    var offset = start &+ 1
    while offset < end, isWordByte(bytes[offset]) { offset &+= 1 }
    guard offset < end, offset &- start <= Self.longestKey, bytes[offset] == UInt8(ascii: ":"),
      offset &+ 1 == end || bytes[offset &+ 1] == UInt8(ascii: " ")
    else { return nil }
    return offset
  }

  func isWordByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
      return true
    default: return false
    }
  }

  /// A block mapping whose keys stand at column `indent` of the lines from the next one.
  mutating func mapping(indent: Int) -> Node? {
    let first = lines[next]
    let mark = BlockYAML.mark(line: first.number, column: indent &+ 1)
    // Room for a segment's few keys at once (growing from empty made and freed two buffers a mapping).
    var pairs: [(Node, Node)] = []
    pairs.reserveCapacity(4)
    var keys: [String] = []
    keys.reserveCapacity(4)
    var keySet: Set<String> = []
    while true {
      let line = lines[next]
      guard line.indent == indent, !isItem(line) else { return nil }
      let start = line.base &+ indent
      guard let colon = keyEnd(from: start, to: line.end) else { return nil }
      let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<colon]), as: UTF8.self)
      // A repeated key is left to Yams, which refuses it.
      if keys.count < 16 {
        guard !keys.contains(key) else { return nil }
        keys.append(key)
        if keys.count == 16 { keySet = Set(keys) }
      } else {
        guard keySet.insert(key).inserted else { return nil }
      }
      let keyNode = Node.scalar(
        Node.Scalar(
          key, Tag(.str, resolver, constructor), .plain, BlockYAML.mark(line: line.number, column: indent &+ 1)))
      var valueStart = colon &+ 1
      while valueStart < line.end, bytes[valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
      let value: Node
      if valueStart == line.end || bytes[valueStart] == UInt8(ascii: "#") {
        // The value is the block on the following lines: deeper, or a list at this indent.
        next &+= 1
        guard next < lines.count else { return nil }
        let below = lines[next]
        if segmentsApart, depth == 1, plainSegments == nil, isItem(below), below.indent >= indent,
          colon &- start == 8, key == "segments",
          let segments = plainSegmentList(indent: below.indent, indentless: below.indent == indent)
        {
          // An empty list where Yams' would be; the segments themselves are handed over as text.
          plainSegments = segments
          value = .sequence(
            Node.Sequence([], tag(), .any, BlockYAML.mark(line: below.number, column: below.indent &+ 1)))
        } else if below.indent > indent {
          guard let nested = block() else { return nil }
          value = nested
        } else if below.indent == indent, isItem(below) {
          guard depth < Self.deepest else { return nil }
          depth &+= 1
          defer { depth &-= 1 }
          guard let list = sequence(indent: indent, indentless: true) else { return nil }
          value = list
        } else {
          return nil
        }
      } else {
        guard let scalar = plainScalar(line, from: valueStart) else { return nil }
        value = scalar
        next &+= 1
        // A more deeply indented line would continue the scalar.
        guard next == lines.count || lines[next].indent <= indent else { return nil }
      }
      pairs.append((keyNode, value))
      guard next < lines.count else { break }
      let following = lines[next].indent
      if following < indent { break }
      guard following == indent else { return nil }
    }
    return .mapping(Node.Mapping(pairs, tag(), .any, mark))
  }

  /// A block list whose `-` stand at column `indent` of the lines from the next one; `indentless` for a
  /// mapping's value written at its key's indent (a line at that indent that is not an item ends it).
  mutating func sequence(indent: Int, indentless: Bool) -> Node? {
    let mark = BlockYAML.mark(line: lines[next].number, column: indent &+ 1)
    var items: [Node] = []
    while true {
      let line = lines[next]
      guard line.indent == indent, isItem(line) else { return nil }
      let content = line.base &+ indent &+ 2
      guard content < line.end, bytes[content] != UInt8(ascii: " ") else { return nil }
      if keyEnd(from: content, to: line.end) != nil {
        // `- key: ...`: a mapping whose keys stand after the `- `.
        lines[next].indent = indent &+ 2
        guard let item = block() else { return nil }
        items.append(item)
      } else {
        guard let scalar = plainScalar(line, from: content) else { return nil }
        items.append(scalar)
        next &+= 1
        guard next == lines.count || lines[next].indent <= indent else { return nil }
      }
      guard next < lines.count else { break }
      let following = lines[next]
      if following.indent < indent { break }
      guard following.indent == indent else { return nil }
      if !isItem(following) {
        guard indentless else { return nil }
        break
      }
    }
    return .sequence(Node.Sequence(items, tag(), .any, mark))
  }

  /// The plain scalar from `start` to the line's end (a comment and trailing spaces dropped), or nil when it
  /// is outside the subset.
  func plainScalar(_ line: BlockYAML.Line, from start: Int) -> Node? {
    guard let end = plainScalarEnd(line, from: start) else { return nil }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    return .scalar(Node.Scalar(text, tag(), .plain, BlockYAML.mark(line: line.number, column: start &- line.base &+ 1)))
  }

  /// The end of `plainScalar`'s text (a comment and trailing spaces dropped), or nil when the scalar is outside the
  /// subset.
  func plainScalarEnd(_ line: BlockYAML.Line, from start: Int) -> Int? {
    var end = line.end
    var offset = start
    while offset < end {
      let byte = bytes[offset]
      if byte == UInt8(ascii: "#"), bytes[offset &- 1] == UInt8(ascii: " ") {
        end = offset
        break
      }
      // `: ` would start a mapping here, which libyaml refuses.
      if byte == UInt8(ascii: ":"), offset &+ 1 < line.end, bytes[offset &+ 1] == UInt8(ascii: " ") { return nil }
      offset &+= 1
    }
    while end > start, bytes[end &- 1] == UInt8(ascii: " ") { end &-= 1 }
    guard end > start, bytes[end &- 1] != UInt8(ascii: ":") else { return nil }
    switch bytes[start] {
    case UInt8(ascii: "-"):
      // A negative number; anything else after `-` is left to Yams.
      guard start &+ 1 < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start &+ 1]) else {
        return nil
      }
    case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
      UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
      UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
      UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
      return nil
    default: break
    }
    return end
  }
}
