import StrataAssignment
import Yams

/// Typed access to a composed YAML tree that knows where each field is, so every error can name the file, line and
/// field.
///
/// Unknown keys are errors (a misspelt `trafic:` must not be silently ignored).
///
/// Field paths (`segments[3].rule`) are spelt only for an error: every method takes its path as an autoclosure, and
/// the line of a field that the model reports later (a ``StrataAssignment/DefinitionError`` names only the path) is
/// found by walking the tree along that path (`line(of:)`), where a table of every field's line by its path cost
/// several strings and a dictionary entry per segment (20,000 segments: 120,000 strings) for errors that rarely come.
struct YAMLFields {
  let file: String
  /// The composed document, walked by `line(of:)`.
  private let root: Node?
  /// The mappings and sequences read through `mapping` and `sequence` (by `identity`): the fields whose lines
  /// `line(of:)` knows are the members and items of these.
  private var checked: Set<Int> = []

  init(file: String, root: Node? = nil) {
    self.file = file
    self.root = root
  }

  /// The path of key `key` of the mapping at `path` (`plan.alpha`; `alpha` at the top): the one spelling, shared
  /// by the walks that place errors in a tree or in the parser's events (``YAMLKeyShape``, ``DuplicateYAMLKey``).
  static func field(_ path: String, key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }

  /// The path of item `index` of the list at `path` (`segments[3]`; `[3]` in a top-level list).
  static func field(_ path: String, item index: Int) -> String {
    "\(path)[\(index)]"
  }

  func error(_ path: String, _ node: Node?, _ message: String) -> ExperimentFileError {
    ExperimentFileError(file: file, line: node?.mark?.line ?? 1, field: path, message: message)
  }

  /// The line of `path` or of its closest parent read through `mapping` or `sequence`: the line of a mapping's key
  /// (its value's when the key has none), of a sequence's item; 1 when there is none.
  ///
  /// `path` is walked from the root one member (`.key`, the longest key of the mapping that the path continues
  /// with) or item (`[index]`) at a time, through mappings and sequences read or not; only the members and items of
  /// those read give lines, so the line is the deepest one a table filled by `mapping` and `sequence` would hold.
  func line(of path: String) -> Int {
    let path = Array(path.utf8)
    var line = 1
    var node = root
    var offset = 0
    while let current = node, offset < path.count {
      let known = checked.contains(Self.identity(current))
      switch current {
      case .mapping(let mapping):
        var best: (key: Node, value: Node, length: Int)?
        for (keyNode, value) in mapping {
          guard let key = keyNode.scalar?.string else { continue }
          let length = key.utf8.count
          let end = offset + length
          guard length > (best?.length ?? 0), end <= path.count, path[offset..<end].elementsEqual(key.utf8),
            end == path.count || path[end] == UInt8(ascii: ".") || path[end] == UInt8(ascii: "[")
          else { continue }
          best = (keyNode, value, length)
        }
        guard let best else { return line }
        if known { line = best.key.mark?.line ?? best.value.mark?.line ?? 1 }
        node = best.value
        offset += best.length
      case .sequence(let sequence):
        guard path[offset] == UInt8(ascii: "["), let close = path[offset...].firstIndex(of: UInt8(ascii: "]")),
          let index = Int(String(decoding: path[(offset + 1)..<close], as: UTF8.self)), index >= 0,
          index < sequence.count
        else { return line }
        let item = sequence[index]
        if known { line = item.mark?.line ?? 1 }
        node = item
        offset = close + 1
      default:
        return line
      }
      if offset < path.count && path[offset] == UInt8(ascii: ".") { offset += 1 }
    }
    return line
  }

  /// A mapping or sequence told apart from every other in the document by where it starts and its kind (no two
  /// start at the same place: a mapping's first key is a scalar, a block sequence starts at its first `-`); nil
  /// marks (nodes made by the loader) are never read through `mapping` or `sequence` with members.
  private static func identity(_ node: Node) -> Int {
    guard let mark = node.mark else { return -1 }
    let kind: Int
    switch node {
    case .mapping: kind = 1
    case .sequence: kind = 2
    default: kind = 3
    }
    return (mark.line &<< 24 | mark.column) &<< 2 | kind
  }

  /// The keys and values of a mapping, checked against `allowed`, in file order.
  mutating func mapping(_ node: Node, _ path: @autoclosure () -> String, allowed: Set<String>)
    throws(ExperimentFileError) -> [String: Node]
  {
    guard case .mapping(let mapping) = node else {
      throw error(path(), node, "expected a mapping of keys to values")
    }
    var result = [String: Node](minimumCapacity: mapping.count)
    func childPath(_ key: String) -> String { Self.field(path(), key: key) }
    for (keyNode, value) in mapping {
      guard let key = keyNode.scalar?.string else {
        throw error(path(), keyNode, YAMLKeyShape.message(YAMLKeyShape.shape(of: keyNode)))
      }
      guard allowed.contains(key) else {
        let known = allowed.sorted().joined(separator: ", ")
        throw error(childPath(key), keyNode, "unknown key \"\(key)\" (known keys: \(known))")
      }
      guard result[key] == nil else { throw error(childPath(key), keyNode, "key \"\(key)\" appears twice") }
      result[key] = value
    }
    checked.insert(Self.identity(node))
    return result
  }

  /// The members of a mapping checked as `mapping(_:_:allowed:)` checks them (the same errors, in the same order),
  /// each value handed to `found` with its key's place in `keys` (at most 64), not collected into a dictionary.
  ///
  /// For the mappings read once per item of a long list (a segment's `name` and `rule`, 20,000 of them): the
  /// dictionary made, filled and searched cost about 4,800 instructions a segment, and the mapping's own iterator
  /// (a copy of its pairs) about 1,400; the pairs are read here by index.
  mutating func members(
    _ node: Node, _ path: @autoclosure () -> String, keys: [String], _ found: (Int, Node) -> Void
  ) throws(ExperimentFileError) {
    guard case .mapping(let mapping) = node else {
      throw error(path(), node, "expected a mapping of keys to values")
    }
    var seen: UInt64 = 0
    for index in mapping.startIndex..<mapping.endIndex {
      let (keyNode, value) = mapping[index]
      guard let key = keyNode.scalar?.string else {
        throw error(path(), keyNode, YAMLKeyShape.message(YAMLKeyShape.shape(of: keyNode)))
      }
      guard let place = keys.firstIndex(of: key) else {
        let known = keys.sorted().joined(separator: ", ")
        throw error(Self.field(path(), key: key), keyNode, "unknown key \"\(key)\" (known keys: \(known))")
      }
      guard seen & (1 << place) == 0 else {
        throw error(Self.field(path(), key: key), keyNode, "key \"\(key)\" appears twice")
      }
      seen |= 1 << place
      found(place, value)
    }
    checked.insert(Self.identity(node))
  }

  mutating func sequence(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> [Node] {
    guard case .sequence(let sequence) = node else { throw error(path(), node, "expected a list") }
    // Room for the list and each of its items read as a mapping (`segments:` with 20,000 items grew the set a
    // doubling at a time, rehashing it each time).
    checked.reserveCapacity(checked.count + 1 + sequence.count)
    checked.insert(Self.identity(node))
    return Array(sequence)
  }

  func string(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> String {
    guard case .scalar(let scalar) = node else { throw error(path(), node, "expected a text value") }
    return scalar.string
  }

  func double(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> Double {
    let text = try string(node, path())
    guard let value = Double(text), value.isFinite else {
      throw error(path(), node, "expected a number, got \"\(text)\"")
    }
    return value
  }

  func integer(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> Int {
    let text = try string(node, path())
    guard let value = Int(text) else { throw error(path(), node, "expected a whole number, got \"\(text)\"") }
    return value
  }

  func bool(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> Bool {
    let text = try string(node, path())
    switch text.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw error(path(), node, "expected true or false, got \"\(text)\"")
    }
  }

  /// An exact decimal (weights, traffic, shares): plain decimal text with at most four fractional digits.
  func exact(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> ExactDecimal {
    let text = try string(node, path())
    guard let value = ExactDecimal(parsing: text) else {
      throw error(path(), node, "expected a non-negative decimal with at most 4 decimal places, got \"\(text)\"")
    }
    return value
  }

  func rule(_ node: Node, _ path: @autoclosure () -> String) throws(ExperimentFileError) -> Rule {
    let text = try string(node, path())
    do {
      return try Rule(text)
    } catch {
      throw self.error(path(), node, "in rule \"\(DisplayText.echo(text))\": \(error)")
    }
  }
}
