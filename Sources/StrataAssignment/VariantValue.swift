/// What a variant delivers to the application that asks for it: a template id, a subject line, a
/// discount, a switch, or a small object of such values (`value:` in a definition).
///
/// A feature-flag client (OpenFeature, through `strata serve`) receives it as the flag's value. Every
/// variant of an experiment carries a value of the same ``Kind`` or none does (then the value is the
/// variant's key, as text). Objects keep the member order of the definition.
public indirect enum VariantValue: Sendable, Hashable {
  case string(String)
  case integer(Int)
  case number(Double)
  case bool(Bool)
  /// A list (inside an object only: a flag's value is a scalar or an object).
  case list([VariantValue])
  /// Members in definition order.
  case object([Member])

  /// One member of an object value.
  public struct Member: Sendable, Hashable {
    public var name: String
    public var value: VariantValue
    public init(name: String, value: VariantValue) {
      self.name = name
      self.value = value
    }
  }

  /// The type a client asks for: OpenFeature's boolean, string, integer, float and object flags.
  public enum Kind: String, Sendable, Hashable {
    case bool = "boolean"
    case string
    case integer
    case number = "float"
    case object
    case list
  }

  public var kind: Kind {
    switch self {
    case .string: return .string
    case .integer: return .integer
    case .number: return .number
    case .bool: return .bool
    case .list: return .list
    case .object: return .object
    }
  }
}

extension Experiment {
  /// Checks that the variants' values are all of one kind, or all absent, and that none is a bare list.
  static func checkValues(_ variants: [Variant]) throws(DefinitionError) {
    let kinds = variants.map { $0.value?.kind }
    for (index, variant) in variants.enumerated() {
      if let value = variant.value, value.kind == .list {
        throw DefinitionError(
          field: "variants[\(index)].value",
          message: "a variant's value is text, a number, true/false or a mapping, not a list")
      }
    }
    guard let first = kinds.first, kinds.contains(where: { $0 != first }) else { return }
    guard let index = kinds.firstIndex(where: { $0 != first }) else { return }
    let field = "variants[\(index)].value"
    guard let firstKind = first else {
      throw DefinitionError(
        field: field, message: "give every variant a value or none (\"\(variants[0].key)\" has none)")
    }
    guard let kind = kinds[index] else {
      throw DefinitionError(
        field: field, message: "give every variant a value or none (\"\(variants[index].key)\" has none)")
    }
    let hint =
      (firstKind == .integer || firstKind == .number) && (kind == .integer || kind == .number)
      ? " (write whole numbers as 2.0 when others have decimals)" : ""
    throw DefinitionError(
      field: field,
      message:
        "every variant's value must be of one type: \"\(variants[0].key)\" has a value of type "
        + "\(firstKind.rawValue), \"\(variants[index].key)\" one of type \(kind.rawValue)\(hint)")
  }
}
