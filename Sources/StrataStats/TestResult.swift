/// Which alternative hypothesis a test is against.
///
/// Every difference is treatment − control, so `.greater` means "treatment is greater than control".
public enum Alternative: String, Sendable, Hashable, Codable, CaseIterable {
  case twoSided = "two-sided"
  case less
  case greater

  /// 1 for one-sided alternatives, 2 for two-sided.
  public var sides: Int { self == .twoSided ? 2 : 1 }
}

/// The shared part of every hypothesis test's result (scipy.stats' vocabulary).
public struct TestResult: Sendable, Hashable, Codable {
  /// The test statistic (z, t, χ², …), treatment − control where it has a sign.
  public var statistic: Double
  /// The p-value under the test's alternative; kept at full relative precision down to ~1e-300.
  public var pValue: Double
  public var alternative: Alternative

  public init(statistic: Double, pValue: Double, alternative: Alternative) {
    self.statistic = statistic
    self.pValue = pValue
    self.alternative = alternative
  }
}

/// A confidence interval at `confidenceLevel` (0.95 for 95%).
///
/// One-sided intervals have an infinite end.
public struct ConfidenceInterval: Sendable, Hashable, Codable {
  public var lower: Double
  public var upper: Double
  public var confidenceLevel: Double

  public init(lower: Double, upper: Double, confidenceLevel: Double) {
    self.lower = lower
    self.upper = upper
    self.confidenceLevel = confidenceLevel
  }

  public func contains(_ x: Double) -> Bool { lower <= x && x <= upper }
}

/// Sufficient statistics of a continuous sample: count, mean and sample standard deviation (ddof = 1).
public struct SampleSummary: Sendable, Hashable, Codable {
  public var count: Double
  public var mean: Double
  public var standardDeviation: Double

  /// Validates: count ≥ 1, finite mean, finite non-negative standard deviation.
  public init(count: Double, mean: Double, standardDeviation: Double) throws(StatsError) {
    try StatsError.requireCount(count, "n", minimum: 1)
    // Squares and products of means and sds must stay finite (a variance, a sum of squares): 1e150 is
    // far beyond any metric and its square, 1e300, still fits in a double.
    try StatsError.require(
      mean.isFinite && abs(mean) <= 1e150, "mean",
      "must be a number between -1e150 and 1e150 (its square must fit a double), got \(mean); give the values in a "
        + "larger unit")
    try StatsError.require(
      standardDeviation >= 0 && standardDeviation <= 1e150, "sd",
      "must be a number from 0 to 1e150 (its square must fit a double), got \(standardDeviation); give the values in "
        + "a larger unit")
    self.count = count
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// Summarizes raw values with Welford's one-pass update (no sum-of-squares cancellation).
  public init<S: Sequence>(values: S) throws(StatsError) where S.Element == Double {
    var accumulator = RunningMoments()
    for v in values {
      try StatsError.require(v.isFinite, "value", "must be finite, got \(v)")
      accumulator.add(v)
    }
    try StatsError.require(accumulator.count >= 1, "sample", "is empty")
    try self.init(count: accumulator.count, mean: accumulator.mean, standardDeviation: accumulator.standardDeviation)
  }

  public var variance: Double { standardDeviation * standardDeviation }
}

/// Sufficient statistics of a binary (0/1) sample: successes out of trials.
public struct BinomialSummary: Sendable, Hashable, Codable {
  public var successes: Double
  public var trials: Double

  /// Validates: whole numbers, 0 ≤ successes ≤ trials, trials ≥ 1.
  public init(successes: Double, trials: Double) throws(StatsError) {
    try StatsError.requireCount(trials, "n", minimum: 1)
    try StatsError.requireCount(successes, "conversions")
    try StatsError.require(successes <= trials, "conversions", "(\(successes)) cannot exceed n (\(trials))")
    self.successes = successes
    self.trials = trials
  }

  /// successes / trials.
  public var rate: Double { successes / trials }
}

/// Welford's running mean and variance: numerically stable, one pass, mergeable (Chan et al.).
public struct RunningMoments: Sendable, Hashable, Codable {
  public private(set) var count: Double = 0
  public private(set) var mean: Double = 0
  /// Sum of squared deviations from the mean.
  public private(set) var m2: Double = 0

  public init() {}

  /// Builds from already-reduced moments (count, mean, M2).
  public init(count: Double, mean: Double, m2: Double) {
    self.count = count
    self.mean = mean
    self.m2 = m2
  }

  public mutating func add(_ x: Double) {
    count += 1
    let delta = x - mean
    mean += delta / count
    m2 += delta * (x - mean)
  }

  /// Combines two partial summaries (Chan, Golub & LeVeque 1979).
  public mutating func merge(_ other: RunningMoments) {
    guard other.count > 0 else { return }
    guard count > 0 else { self = other; return }
    let total = count + other.count
    let delta = other.mean - mean
    mean += delta * other.count / total
    m2 += other.m2 + delta * delta * count * other.count / total
    count = total
  }

  /// Sample variance (ddof = 1); 0 when count < 2; +∞ when M2 left the double range.
  ///
  /// Values are finite (the readers refuse NaN and ∞), so an M2 of NaN or −∞ comes from squared deviations beyond the
  /// largest double (∞ − ∞ in an update or a merge): its spread is too large, not 0, which `max(0, NaN)` made it.
  public var variance: Double {
    guard count > 1 else { return 0 }
    guard m2.isFinite else { return .infinity }
    return max(0, m2 / (count - 1))
  }
  public var standardDeviation: Double { variance.squareRoot() }
}
