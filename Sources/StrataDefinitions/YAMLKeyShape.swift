internal import CYaml
import Yams

/// A mapping key that is not plain text (an alias, a mapping, a list), found in the YAML parser's events, where
/// each key stands at its own place.
///
/// Needed where the composed tree cannot say it: Yams replaces an alias by the node it names, with that node's
/// line (`*n : 3` reported at the line of `&n`), and refuses two equal non-text keys before any tree exists,
/// naming them `'<uncovertable>'`. So the loader asks here when Yams reports repeated keys, and when the text
/// holds a `*` (an alias could be a key); a file without either costs nothing more. Keys in the tree that are a
/// mapping or a list are also caught by ``YAMLFields`` with the same sentence.
struct YAMLKeyShape {
  /// 1-based, as Yams counts (columns in Unicode scalars).
  var line: Int
  var column: Int
  /// The path of the mapping holding the key (`segments[0]`), as ``YAMLFields`` spells it.
  var field: String
  /// What the key is: "an alias (*n)", "a mapping", "a list".
  var shape: String

  /// The sentence for a key of `shape`.
  static func message(_ shape: String) -> String {
    "a key must be plain text (a name such as `alpha`), not \(shape)"
  }

  func error(file: String) -> ExperimentFileError {
    ExperimentFileError(file: file, line: line, field: field, message: Self.message(shape))
  }

  /// What a key node of the composed tree is, when it is not text.
  static func shape(of node: Node) -> String {
    switch node {
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    case .scalar: "text"
    }
  }

  /// The first key in `yaml` that is not text, in file order; nil when there is none or the text does not parse
  /// (the composer's own error is then the one to give).
  static func first(in yaml: String) -> YAMLKeyShape? {
    let bytes = Array(yaml.utf8)
    return bytes.withUnsafeBufferPointer { buffer -> YAMLKeyShape? in
      var parser = yaml_parser_t()
      guard yaml_parser_initialize(&parser) == 1 else { return nil }
      defer { yaml_parser_delete(&parser) }
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      return walk(&parser)
    }
  }

  /// A mapping waiting for a key or for the value of `key`, or a list at item `index`.
  private enum Level {
    case mapping(key: String?)
    case sequence(index: Int)
  }

  private static func walk(_ parser: inout yaml_parser_t) -> YAMLKeyShape? {
    var levels: [Level] = []
    func path() -> String {
      var text = ""
      for level in levels.dropLast() {
        switch level {
        case .mapping(let key): text += text.isEmpty ? (key ?? "") : ".\(key ?? "")"
        case .sequence(let index): text += "[\(index)]"
        }
      }
      return text
    }
    /// Whether the next node is a key of the innermost mapping.
    func atKey() -> Bool {
      if case .mapping(nil)? = levels.last { return true }
      return false
    }
    /// A node ended: the mapping now waits for its next key, or the list for its next item.
    func ended(key: String? = nil) {
      guard let last = levels.last else { return }
      switch last {
      case .mapping(nil): levels[levels.count - 1] = .mapping(key: key ?? "")
      case .mapping: levels[levels.count - 1] = .mapping(key: nil)
      case .sequence(let index): levels[levels.count - 1] = .sequence(index: index + 1)
      }
    }
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
      defer { yaml_event_delete(&event) }
      let mark = event.start_mark
      func found(_ shape: String) -> YAMLKeyShape {
        YAMLKeyShape(line: Int(mark.line) + 1, column: Int(mark.column) + 1, field: path(), shape: shape)
      }
      switch event.type {
      case YAML_STREAM_END_EVENT: return nil
      case YAML_SCALAR_EVENT:
        let value = event.data.scalar.value.map {
          String(decoding: UnsafeBufferPointer(start: $0, count: event.data.scalar.length), as: UTF8.self)
        }
        ended(key: value ?? "")
      case YAML_ALIAS_EVENT:
        if atKey() {
          let name = event.data.alias.anchor.map { String(cString: $0) }
          return found("an alias (*\(name ?? ""))")
        }
        ended()
      case YAML_MAPPING_START_EVENT:
        if atKey() { return found("a mapping") }
        levels.append(.mapping(key: nil))
      case YAML_SEQUENCE_START_EVENT:
        if atKey() { return found("a list") }
        levels.append(.sequence(index: 0))
      case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
        levels.removeLast()
        ended()
      default: break
      }
    }
  }
}
