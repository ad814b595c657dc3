// libyaml's parser, for its events (where each key stands, before Yams resolves aliases). CYaml is a target of
// the Yams package, not one of its products: this module reaches it only as Yams' own dependency, so a Yams
// release that renames or drops it fails this build here ("no such module 'CYaml'"), and one that changes how
// its events read fails YAMLKeyShapeTests (alias keys and repeated non-text keys are found only in the events).
// `internal`: the compiler refuses a libyaml type in any public or package declaration or inlinable code here,
// so CYaml stays out of this module's interface and its importers never load it through it; a plain `import`
// (public in Swift 6) would not check that.
internal import CYaml
import Yams

/// A mapping key that is not plain text (an alias, a mapping, a list), found in the YAML parser's events, where
/// each key stands at its own place.
///
/// Used only to place an error already raised, never to refuse a file: Yams replaces an alias by the node it
/// names, with that node's line (`*n : 3` repeating or unknown is reported at the line of `&n`), and refuses two
/// equal non-text keys before any tree exists, naming them `'<uncovertable>'`. An alias standing for a key that
/// is allowed (`- &k key: control`, then `- *k : treatment`) is valid YAML and loads. Keys in the tree that are
/// a mapping or a list are caught by ``YAMLFields`` with the same sentence.
struct YAMLKeyShape {
  /// 1-based, as Yams counts (columns in Unicode scalars).
  var line: Int
  var column: Int
  /// The path of the mapping holding the key (`segments[0]`), as ``YAMLFields`` spells it.
  var field: String
  /// What the key is: "an alias (*n)", "a mapping", "a list".
  var shape: String
  /// For an alias: the line of the node it names (where Yams reports the key), and that node's text when it is
  /// text (the key the alias stands for).
  var target: (line: Int, text: String?)?
  /// An alias whose key is also another key of its mapping (Yams' repeated keys).
  var repeats = false

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

  /// Where Yams' repeated keys `duplicates` are when a key that is not text makes them: the first mapping or list
  /// key (two equal ones are Yams' `'<uncovertable>'`), or an alias repeating a key of its mapping; nil when the
  /// repeated keys are plain text (Yams' own place is then right).
  static func repeated(_ duplicates: [String], in yaml: String) -> YAMLKeyShape? {
    let keys = all(in: yaml)
    if duplicates.contains("<uncovertable>"), let key = keys.first(where: { $0.target?.text == nil }) { return key }
    return keys.first { key in key.repeats && key.target?.text.map(duplicates.contains) == true }
  }

  /// The alias key that `error` (raised for the node Yams put in its place) is about: an unknown key or a key
  /// that is not text, at the line of the node the alias names; nil when the error is about something else.
  static func alias(behind error: ExperimentFileError, in yaml: String) -> YAMLKeyShape? {
    all(in: yaml).first { key in
      guard let target = key.target, target.line == error.line else { return false }
      guard let text = target.text else {
        return error.field == key.field && error.message.hasPrefix(message(""))
      }
      return error.field == YAMLFields.field(key.field, key: text)
    }
  }

  /// Every key in `yaml` that is not text, in file order; none when the text does not parse (the composer's own
  /// error is then the one to give).
  static func all(in yaml: String) -> [YAMLKeyShape] {
    let bytes = Array(yaml.utf8)
    return bytes.withUnsafeBufferPointer { buffer -> [YAMLKeyShape] in
      var parser = yaml_parser_t()
      guard yaml_parser_initialize(&parser) == 1 else { return [] }
      defer { yaml_parser_delete(&parser) }
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      return walk(&parser) ?? []
    }
  }

  /// A mapping waiting for a key or for the value of `key` (with the keys it holds so far, each with the index of
  /// the alias key that gave it, if one did), or a list at item `index`.
  private enum Level {
    case mapping(key: String?, seen: [String: Int?])
    case sequence(index: Int)
  }

  private static func walk(_ parser: inout yaml_parser_t) -> [YAMLKeyShape]? {
    var levels: [Level] = []
    var found: [YAMLKeyShape] = []
    var anchors: [String: (line: Int, text: String?)] = [:]
    func path() -> String {
      var text = ""
      for level in levels.dropLast() {
        switch level {
        case .mapping(let key, _): text = YAMLFields.field(text, key: key ?? "")
        case .sequence(let index): text = YAMLFields.field(text, item: index)
        }
      }
      return text
    }
    /// Whether the next node is a key of the innermost mapping.
    func atKey() -> Bool {
      if case .mapping(nil, _)? = levels.last { return true }
      return false
    }
    /// A node ended: the mapping now waits for its next key (`key`, given by alias key `alias` if one, ended), or
    /// the list for its next item.
    func ended(key: String? = nil, alias: Int? = nil) {
      guard let last = levels.last else { return }
      switch last {
      case .mapping(nil, var seen):
        let text = key ?? ""
        if let earlier = seen[text] {
          for index in [earlier, alias].compactMap({ $0 }) { found[index].repeats = true }
        } else {
          seen[text] = alias
        }
        levels[levels.count - 1] = .mapping(key: text, seen: seen)
      case .mapping(_, let seen): levels[levels.count - 1] = .mapping(key: nil, seen: seen)
      case .sequence(let index): levels[levels.count - 1] = .sequence(index: index + 1)
      }
    }
    func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? { anchor.map { String(cString: $0) } }
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
      defer { yaml_event_delete(&event) }
      let mark = event.start_mark
      func key(_ shape: String, target: (line: Int, text: String?)? = nil) -> YAMLKeyShape {
        YAMLKeyShape(
          line: Int(mark.line) + 1, column: Int(mark.column) + 1, field: path(), shape: shape, target: target)
      }
      switch event.type {
      case YAML_STREAM_END_EVENT: return found
      case YAML_SCALAR_EVENT:
        let value =
          event.data.scalar.value.map {
            String(decoding: UnsafeBufferPointer(start: $0, count: event.data.scalar.length), as: UTF8.self)
          } ?? ""
        if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = (Int(mark.line) + 1, value) }
        ended(key: value)
      case YAML_ALIAS_EVENT:
        if atKey() {
          let anchor = name(event.data.alias.anchor) ?? ""
          let target = anchors[anchor]
          found.append(key("an alias (*\(anchor))", target: target))
          ended(key: target?.text ?? "*\(anchor)", alias: target?.text == nil ? nil : found.count - 1)
        } else {
          ended()
        }
      case YAML_MAPPING_START_EVENT:
        if atKey() { found.append(key("a mapping")) }
        if let anchor = name(event.data.mapping_start.anchor) { anchors[anchor] = (Int(mark.line) + 1, nil) }
        levels.append(.mapping(key: nil, seen: [:]))
      case YAML_SEQUENCE_START_EVENT:
        if atKey() { found.append(key("a list")) }
        if let anchor = name(event.data.sequence_start.anchor) { anchors[anchor] = (Int(mark.line) + 1, nil) }
        levels.append(.sequence(index: 0))
      case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
        levels.removeLast()
        ended()
      default: break
      }
    }
  }
}
