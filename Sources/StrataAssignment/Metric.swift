/// An outcome measured per unit and compared between variants.
public struct Metric: Sendable, Hashable {
  /// Binomial (a 0/1 outcome per unit: renewed, clicked) or continuous (revenue, minutes).
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case binomial, continuous
  }

  /// Primary metrics decide the experiment; guardrails must not get worse; secondary ones are reported.
  public enum Role: String, Sendable, Hashable, CaseIterable {
    case primary, guardrail, secondary
  }

  /// What to do with a unit whose value is missing in the data.
  public enum MissingValuePolicy: String, Sendable, Hashable, CaseIterable {
    /// Leave the unit out of this metric (the default).
    case exclude
    /// Count it as 0 (no conversion, no revenue).
    case zero
  }

  public var name: String
  public var kind: Kind
  public var role: Role
  /// Data column holding the metric; defaults to `name`.
  public var column: String
  public var missing: MissingValuePolicy
  public var description: String?

  public init(
    name: String, kind: Kind, role: Role = .primary, column: String? = nil, missing: MissingValuePolicy = .exclude,
    description: String? = nil
  ) {
    self.name = name
    self.kind = kind
    self.role = role
    self.column = column ?? name
    self.missing = missing
    self.description = description
  }
}
