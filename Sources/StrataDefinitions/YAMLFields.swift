import StrataAssignment
import Yams

/// Typed access to a composed YAML tree that records where each field is, so every error can name the file, line and
/// field.
///
/// Unknown keys are errors (a misspelt `trafic:` must not be silently ignored).
struct YAMLFields {
  let file: String
  /// Line of every field seen, by dotted path.
  private(set) var lines: [String: Int] = [:]

  init(file: String) { self.file = file }

  func error(_ path: String, _ node: Node?, _ message: String) -> ExperimentFileError {
    ExperimentFileError(file: file, line: node?.mark?.line ?? 1, field: path, message: message)
  }

  /// The line of `path` or of its closest recorded parent.
  func line(of path: String) -> Int {
    var candidate = path
    while !candidate.isEmpty {
      if let line = lines[candidate] { return line }
      if let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) {
        candidate = String(candidate[..<cut])
      } else {
        break
      }
    }
    return lines[candidate] ?? 1
  }

  /// The keys and values of a mapping, checked against `allowed`, in file order.
  mutating func mapping(_ node: Node, _ path: String, allowed: Set<String>) throws(ExperimentFileError) -> [String:
    Node]
  {
    guard case .mapping(let mapping) = node else {
      throw error(path, node, "expected a mapping of keys to values")
    }
    var result: [String: Node] = [:]
    for (keyNode, value) in mapping {
      guard let key = keyNode.scalar?.string else { throw error(path, keyNode, "keys must be plain names") }
      let childPath = path.isEmpty ? key : "\(path).\(key)"
      guard allowed.contains(key) else {
        let known = allowed.sorted().joined(separator: ", ")
        throw error(childPath, keyNode, "unknown key \"\(key)\" (known keys: \(known))")
      }
      guard result[key] == nil else { throw error(childPath, keyNode, "key \"\(key)\" appears twice") }
      result[key] = value
      lines[childPath] = keyNode.mark?.line ?? value.mark?.line ?? 1
    }
    return result
  }

  mutating func sequence(_ node: Node, _ path: String) throws(ExperimentFileError) -> [Node] {
    guard case .sequence(let sequence) = node else { throw error(path, node, "expected a list") }
    let items = Array(sequence)
    for (index, item) in items.enumerated() { lines["\(path)[\(index)]"] = item.mark?.line ?? 1 }
    return items
  }

  func string(_ node: Node, _ path: String) throws(ExperimentFileError) -> String {
    guard case .scalar(let scalar) = node else { throw error(path, node, "expected a text value") }
    return scalar.string
  }

  func double(_ node: Node, _ path: String) throws(ExperimentFileError) -> Double {
    let text = try string(node, path)
    guard let value = Double(text), value.isFinite else {
      throw error(path, node, "expected a number, got \"\(text)\"")
    }
    return value
  }

  func integer(_ node: Node, _ path: String) throws(ExperimentFileError) -> Int {
    let text = try string(node, path)
    guard let value = Int(text) else { throw error(path, node, "expected a whole number, got \"\(text)\"") }
    return value
  }

  func bool(_ node: Node, _ path: String) throws(ExperimentFileError) -> Bool {
    let text = try string(node, path)
    switch text.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw error(path, node, "expected true or false, got \"\(text)\"")
    }
  }

  /// An exact decimal (weights, traffic, shares): plain decimal text with at most four fractional digits.
  func exact(_ node: Node, _ path: String) throws(ExperimentFileError) -> ExactDecimal {
    let text = try string(node, path)
    guard let value = ExactDecimal(parsing: text) else {
      throw error(path, node, "expected a non-negative decimal with at most 4 decimal places, got \"\(text)\"")
    }
    return value
  }

  func rule(_ node: Node, _ path: String) throws(ExperimentFileError) -> Rule {
    let text = try string(node, path)
    do {
      return try Rule(text)
    } catch {
      throw self.error(path, node, "in rule \"\(DisplayText.echo(text))\": \(error)")
    }
  }
}
