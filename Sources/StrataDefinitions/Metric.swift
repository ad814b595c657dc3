import StrataAssignment

/// An outcome measured per unit and compared between variants.
///
/// One type for the definition and the analysis: what it measures (`kind`, a value that later kinds such as
/// ratios extend with their own columns), how it is judged (`role`, `direction`) and how missing values are
/// treated (`missing`).
public struct Metric: Sendable, Hashable {
  /// What a unit's value is.
  ///
  /// A value rather than a string, so a kind with its own columns (a ratio's numerator and denominator) is a
  /// new case carrying them, and every `switch` over kinds is checked for it by the compiler.
  public enum Kind: Sendable, Hashable {
    /// A 0/1 outcome per unit (renewed, clicked).
    case binomial
    /// A number per unit (revenue, minutes).
    case continuous

    /// Every kind a definition can name, in documentation order.
    public static let all: [Kind] = [.binomial, .continuous]

    /// The definition's spelling (`kind: binomial`), also used in JSON and reports.
    public var name: String {
      switch self {
      case .binomial: return "binomial"
      case .continuous: return "continuous"
      }
    }

    /// The kind a definition spells `name`, or nil.
    public init?(name: String) {
      guard let kind = Self.all.first(where: { $0.name == name }) else { return nil }
      self = kind
    }

    /// Values are 0 or 1.
    public var isBinomial: Bool { self == .binomial }
  }

  /// Primary metrics decide the experiment; guardrails must not get worse; secondary ones are reported.
  public enum Role: String, Sendable, Hashable, CaseIterable {
    case primary, guardrail, secondary
  }

  /// Which way is good for the metric.
  ///
  /// A larger value (`increase`, the default: renewals, revenue) or a smaller one (`decrease`:
  /// cancellations, load time). Differences stay treatment − control whatever the direction.
  public enum Direction: String, Sendable, Hashable, CaseIterable {
    case increase, decrease
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
  /// Which way is good (default `increase`).
  public var direction: Direction
  /// For event-level data: how long after the first exposure events count (nil: every event after it).
  public var window: AttributionWindow?

  public init(
    name: String, kind: Kind, role: Role = .primary, column: String? = nil, missing: MissingValuePolicy = .exclude,
    description: String? = nil, direction: Direction = .increase, window: AttributionWindow? = nil
  ) {
    self.name = name
    self.kind = kind
    self.role = role
    self.column = column ?? name
    self.missing = missing
    self.description = description
    self.direction = direction
    self.window = window
  }

  /// The data columns the metric reads, in order (one for binomial and continuous metrics).
  public var valueColumns: [String] {
    switch kind {
    case .binomial, .continuous: return [column]
    }
  }
}
