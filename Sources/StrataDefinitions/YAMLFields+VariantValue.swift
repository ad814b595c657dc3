import StrataAssignment
import Yams

extension YAMLFields {
  /// A variant's `value:`: a scalar typed by YAML's own rules (`true`, `42`, `4.5`, text; quote a
  /// number to keep it text) or a mapping of such values (lists allowed inside a mapping).
  mutating func variantValue(_ node: Node, _ path: String) throws(ExperimentFileError) -> VariantValue {
    switch node {
    case .scalar(let scalar):
      if scalar.style == .plain {
        // YAML's core types by the default rules (the definition is composed without resolving tags).
        switch Resolver.default.resolveTag(of: node) {
        case .null: throw error(path, node, "a value must not be null (leave value: out instead)")
        case .bool: if let value = node.bool { return .bool(value) }
        case .int: if let value = node.int { return .integer(value) }
        case .float:
          if let value = node.float, value.isFinite { return .number(value) }
          throw error(path, node, "expected a finite number, got \"\(scalar.string)\"")
        default: break
        }
      }
      return .string(scalar.string)
    case .mapping(let mapping):
      var members: [VariantValue.Member] = []
      for (keyNode, valueNode) in mapping {
        guard let name = keyNode.scalar?.string else {
          throw error(path, keyNode, YAMLKeyShape.message(YAMLKeyShape.shape(of: keyNode)))
        }
        guard !members.contains(where: { $0.name == name }) else {
          throw error("\(path).\(name)", keyNode, "key \"\(name)\" appears twice")
        }
        members.append(.init(name: name, value: try variantValue(valueNode, "\(path).\(name)")))
      }
      return .object(members)
    case .sequence(let sequence):
      var items: [VariantValue] = []
      for (index, item) in sequence.enumerated() { items.append(try variantValue(item, "\(path)[\(index)]")) }
      return .list(items)
    case .alias:
      throw error(path, node, "aliases are not supported in values")
    }
  }
}
