import StrataAssignment

/// An outcome measured per unit and compared between variants.
///
/// One type for the definition and the analysis: what it measures (`kind`, a value whose ratio case carries its
/// own columns), how it is judged (`role`, `direction`), how missing values are treated (`missing`) and, for
/// variance reduction, the same quantity before the experiment (`covariate`).
public struct Metric: Sendable, Hashable {
  /// What a unit's value is.
  ///
  /// A value rather than a string, so a kind with its own columns (a ratio's numerator and denominator) is a
  /// case carrying them, and every `switch` over kinds is checked for it by the compiler.
  public enum Kind: Sendable, Hashable {
    /// A 0/1 outcome per unit (renewed, clicked).
    case binomial
    /// A number per unit (revenue, minutes).
    case continuous
    /// Σ numerator / Σ denominator per arm (revenue per order, clicks per impression); the unit of
    /// randomisation stays the unit, so the variance comes from the delta method over the units.
    case ratio(numerator: String, denominator: String)

    /// The spelling of every kind a definition can name, in documentation order.
    public static let names = ["binomial", "continuous", "ratio"]

    /// The definition's spelling (`kind: binomial`), also used in JSON and reports.
    public var name: String {
      switch self {
      case .binomial: return "binomial"
      case .continuous: return "continuous"
      case .ratio: return "ratio"
      }
    }

    /// The kind a definition spells `name` when it needs no columns of its own (binomial, continuous); nil
    /// otherwise (a ratio needs its numerator and denominator).
    public init?(name: String) {
      switch name {
      case "binomial": self = .binomial
      case "continuous": self = .continuous
      default: return nil
      }
    }

    /// Values are 0 or 1.
    public var isBinomial: Bool { self == .binomial }

    /// A ratio of two per-unit sums.
    public var isRatio: Bool {
      if case .ratio = self { return true }
      return false
    }
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

  /// The pre-experiment value of the metric, for CUPED (regression adjustment on one covariate).
  ///
  /// One column for a binomial or continuous metric; a numerator and a denominator for a ratio metric.
  /// A unit's covariate is read like a metric value: with `missing: zero` an empty value counts as 0 (a unit
  /// with no history had no orders); with `exclude` (the default, as for metrics) it is left out, and since
  /// the adjustment needs the covariate on exactly the units that have the metric, any unit with a metric
  /// value but no covariate makes the analysis of that metric stop with an error naming the cell.
  public struct Covariate: Sendable, Hashable {
    /// [column] or [numerator, denominator].
    public var columns: [String]
    public var missing: MissingValuePolicy

    public init(column: String, missing: MissingValuePolicy = .exclude) {
      columns = [column]
      self.missing = missing
    }

    public init(numerator: String, denominator: String, missing: MissingValuePolicy = .exclude) {
      columns = [numerator, denominator]
      self.missing = missing
    }

    /// A numerator and a denominator.
    public var isRatio: Bool { columns.count == 2 }
  }

  /// Several pre-experiment columns for Lin's (2013) regression adjustment (`covariates:` in a definition).
  ///
  /// The outcome is regressed, per segment, on the arms, the columns centred at their means and every arm ×
  /// column interaction, with heteroskedasticity-consistent errors (`StrataStats.InteractedRegression`). The
  /// sandwich weighs each unit by its own residual and leverage, so it needs unit-level rows: aggregated input
  /// and SQL cells cannot carry it. Missing values follow `missing` as for `Covariate`.
  public struct Regression: Sendable, Hashable {
    /// Which heteroskedasticity-consistent variance (MacKinnon & White 1985).
    public enum Errors: String, Sendable, Hashable, CaseIterable {
      case hc2, hc3
    }

    /// One or more columns, none repeated.
    public var columns: [String]
    public var missing: MissingValuePolicy
    public var errors: Errors

    public init(columns: [String], missing: MissingValuePolicy = .exclude, errors: Errors = .hc2) {
      self.columns = columns
      self.missing = missing
      self.errors = errors
    }
  }

  public var name: String
  public var kind: Kind
  public var role: Role
  /// Data column holding the metric; defaults to `name` (unused by ratio metrics, which name two columns).
  public var column: String
  public var missing: MissingValuePolicy
  public var description: String?
  /// Which way is good (default `increase`).
  public var direction: Direction
  /// For event-level data: how long after the first exposure events count (nil: every event after it).
  public var window: AttributionWindow?
  /// The pre-experiment value used for CUPED, when declared.
  public var covariate: Covariate?
  /// Several pre-experiment columns for Lin's regression adjustment, when declared (never with `covariate`).
  public var regression: Regression?

  public init(
    name: String, kind: Kind, role: Role = .primary, column: String? = nil, missing: MissingValuePolicy = .exclude,
    description: String? = nil, direction: Direction = .increase, window: AttributionWindow? = nil,
    covariate: Covariate? = nil, regression: Regression? = nil
  ) {
    self.name = name
    self.kind = kind
    self.role = role
    self.column = column ?? name
    self.missing = missing
    self.description = description
    self.direction = direction
    self.window = window
    self.covariate = covariate
    self.regression = regression
  }

  /// The data columns the metric reads, in order: its column, or a ratio's numerator and denominator.
  public var valueColumns: [String] {
    switch kind {
    case .binomial, .continuous: return [column]
    case .ratio(let numerator, let denominator): return [numerator, denominator]
    }
  }

  /// Whether the analysis needs more than each column's own moments (a ratio, a covariate, or covariates for
  /// a regression): such metrics go through the adjusted comparison, with the adjusted estimate leading.
  public var needsJointMoments: Bool { kind.isRatio || covariate != nil || regression != nil }

  /// Whether the cells must carry the co-moments of the metric's columns (a ratio or a CUPED covariate; a
  /// regression reads unit rows instead).
  public var needsCrossProducts: Bool { kind.isRatio || covariate != nil }

  /// "revenue per order" for a ratio metric, nil for other kinds: how reports label a ratio.
  ///
  /// The numerator and denominator columns with underscores as spaces; a denominator ending in a plural
  /// "s" (not "ss") loses it, since the ratio is per one of them (orders → "per order").
  public var ratioLabel: String? {
    guard case .ratio(let numerator, let denominator) = kind else { return nil }
    var per = String(denominator.map { $0 == "_" ? " " : $0 })
    if per.count > 3, per.hasSuffix("s"), !per.hasSuffix("ss") { per.removeLast() }
    return "\(String(numerator.map { $0 == "_" ? " " : $0 })) per \(per)"
  }
}
