import StrataAssignment

/// One unit to assign: its id and its attributes as sent (an OFREP context without `targetingKey`, or
/// a native request's `attributes`).
public struct UnitContext: Sendable {
  public var unit: String
  public var attributes: [(String, JSON)]

  public init(unit: String, attributes: [(String, JSON)]) {
    self.unit = unit
    self.attributes = attributes
  }

  /// The attribute array of `experiment` (its rules' attributes, in slot order).
  ///
  /// Values are read the way `strata assign --attr name=value` reads text, so the service and the CLI agree exactly:
  /// text as is, numbers in their shortest decimal form, booleans as `true`/`false`; null or empty text is a missing
  /// attribute. A list or object where a rule reads the attribute is an error naming it.
  public func slots(for experiment: Experiment) throws(ContextError) -> [AttributeValue?] {
    var slots: [AttributeValue?] = []
    slots.reserveCapacity(experiment.attributeNames.count)
    for name in experiment.attributeNames {
      guard let value = attributes.first(where: { $0.0 == name })?.1 else {
        slots.append(nil)
        continue
      }
      switch value {
      case .null: slots.append(nil)
      case .string(let text): slots.append(text.isEmpty ? nil : .string(text))
      case .bool(let flag): slots.append(.string(flag ? "true" : "false"))
      case .integer(let number): slots.append(.string(String(number)))
      case .number(let number): slots.append(.string(UnitContext.decimalText(number)))
      case .array, .object:
        throw ContextError(
          field: name, message: "\"\(name)\" must be text, a number or a boolean: \(experiment.id)'s rules read it")
      }
    }
    return slots
  }

  /// A number as decimal text: whole numbers below 2^53 without a fraction (`14`, not `14.0`).
  static func decimalText(_ number: Double) -> String {
    if number == number.rounded(), abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
    return "\(number)"
  }

  /// Assigns the unit in one catalog entry through the same library call as `strata assign`.
  ///
  /// `refused`: the unit withdrew consent through `POST /v1/consent`; it is then excluded with reason `no_consent`
  /// before anything else is read, as the spec's consent step (§4.1) excludes a unit whose consent attribute is false.
  public func assign(_ entry: CatalogEntry, refused: Bool = false) throws(ContextError) -> Assignment {
    if refused { return Assignment(reason: .noConsent) }
    return entry.experiment.assign(unit: unit, attributes: try slots(for: entry.experiment))
  }
}

/// A context attribute the rules cannot read.
public struct ContextError: Error, CustomStringConvertible, Sendable {
  public var field: String
  public var message: String
  public var description: String { message }
}
