import Yams

extension BlockYAML {
  /// A segment of the top-level `segments:` list written with `name:` and at most a `rule:` (plain one-line
  /// scalars, in either order): read as text, without nodes (``compose(_:_:segmentsApart:)``).
  struct PlainSegment: Equatable {
    var name: String
    var rule: String?
  }

  /// ``compose(_:_:)``'s tree, with the top-level `segments:` list apart when `segmentsApart` and every item is plain.
  ///
  /// Such a list is returned as ``PlainSegment``s, and the tree holds an empty list in its place (with the list's
  /// mark). `segments` is nil when there is no such list: the tree is then `compose(_:_:)`'s.
  ///
  /// For the definitions of thousands of segments, where each segment's five nodes (a mapping, two keys, two
  /// values, each with a tag object), Yams' copy of the mapping's pairs and the loader's reading of them cost about
  /// 15,000 instructions a segment (callgrind, 20,000 segments). Only the segments' text is read here; the loader
  /// checks them as it would (`DefinitionLoader.read`).
  static func compose(_ yaml: String, _ resolver: Resolver, segmentsApart: Bool) -> (
    root: Node, segments: [PlainSegment]?
  )? {
    guard marksMatchYams else { return nil }
    var yaml = yaml
    return yaml.withUTF8 { bytes -> (Node, [PlainSegment]?)? in
      guard let lines = contentLines(bytes) else { return nil }
      // One constructor for every tag, as Yams' parser holds one (`Constructor.default` builds a new one, with
      // its dictionaries, at each call).
      var composer = Composer(bytes: bytes, lines: lines, resolver: resolver, constructor: .default)
      composer.segmentsApart = segmentsApart
      guard let root = composer.document() else { return nil }
      return (root, composer.plainSegments)
    }
  }
}

extension Composer {
  /// The items of a block list of plain segments from the next line, or nil (`next` where it was).
  ///
  /// The list's `-` stand at column `indent` (`indentless` as in `sequence`); each item is `- name: …` or
  /// `- rule: …` followed by the other key on the next line at the first key's column, or by nothing (a segment
  /// without a rule), the values plain one-line scalars. Nil at anything else: any other key or shape, a repeated
  /// key, a missing name, a value on the following lines, a scalar outside the subset, a line indented differently.
  /// What is read here is what `sequence` and `mapping` would read into nodes, with the same checks.
  mutating func plainSegmentList(indent: Int, indentless: Bool) -> [BlockYAML.PlainSegment]? {
    let first = next
    var segments: [BlockYAML.PlainSegment] = []
    // At most one segment per line; segments of a name and a rule take two.
    segments.reserveCapacity((lines.count &- next) / 2 &+ 1)
    let keyIndent = indent &+ 2
    while true {
      let line = lines[next]
      guard line.indent == indent, isItem(line) else { break }
      let content = line.base &+ keyIndent
      guard content < line.end, bytes[content] != UInt8(ascii: " ") else { break }
      var name: String?
      var rule: String?
      var keyLine = line
      var keyStart = content
      var failed = false
      while true {
        guard let colon = keyEnd(from: keyStart, to: keyLine.end), colon &- keyStart == 4 else {
          failed = true
          break
        }
        let key = UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: keyStart, as: UInt32.self)
        var valueStart = colon &+ 1
        while valueStart < keyLine.end, bytes[valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
        guard valueStart < keyLine.end, bytes[valueStart] != UInt8(ascii: "#"),
          let end = plainScalarEnd(keyLine, from: valueStart)
        else {
          failed = true
          break
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self)
        // "name" and "rule" as little-endian words.
        if key == 0x656D_616E, name == nil {
          name = text
        } else if key == 0x656C_7572, rule == nil {
          rule = text
        } else {
          failed = true
          break
        }
        next &+= 1
        guard next < lines.count else { break }
        let following = lines[next]
        if following.indent < keyIndent { break }
        // A deeper line would continue the scalar; one at the key's column that is an item is not a key.
        guard following.indent == keyIndent, !isItem(following) else {
          failed = true
          break
        }
        keyLine = following
        keyStart = following.base &+ keyIndent
      }
      guard !failed, let name else { break }
      segments.append(BlockYAML.PlainSegment(name: name, rule: rule))
      // The end of the list, as `sequence` ends it.
      guard next < lines.count else { return segments }
      let following = lines[next]
      if following.indent < indent { return segments }
      guard following.indent == indent else { break }
      if !isItem(following) {
        guard indentless else { break }
        return segments
      }
    }
    next = first
    return nil
  }
}
