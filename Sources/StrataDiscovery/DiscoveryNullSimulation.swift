import StrataStats

/// A Monte Carlo check of why discovery needs an honest split.
///
/// Under the null (no treatment effect in any unit, so no real heterogeneity), how often does each workflow
/// declare a segment's effect significant?
///
/// Each run draws `units` units with two standard-normal pre-treatment features, a 50/50 random arm and a
/// standard-normal outcome independent of everything, from GSL's Mersenne Twister seeded with `seed` (one stream
/// for all runs, so the seed fixes every number). Then:
/// - **double dipping**: k-means (k = `clusterCount`, 1 start) on all units; the segment whose treatment − control
///   difference has the smallest Welch p-value is "the best-looking segment", and it is tested with Welch on the
///   same units; a rejection at `alpha` counts;
/// - **honest split**: the same, but k-means and the choice of segment use the discovery half only (the split of
///   ``HonestSplit``, salt `null-simulation`, unit ids `u<i>`), and the chosen segment is tested on the
///   confirmation half, whose units are placed by the frozen nearest-centroid rule.
///
/// With k segments the double-dipping rate is about 1 − (1 − α)^k (the best of k tests), far above α; the honest
/// rate is α within Monte Carlo error (standard error √(α(1 − α)/runs)).
public struct DiscoveryNullSimulation: Sendable, Hashable {
  public let runs: Int
  public let units: Int
  public let clusterCount: Int
  public let alpha: Double
  public let seed: UInt64

  public init(runs: Int = 2_000, units: Int = 2_000, clusterCount: Int = 4, alpha: Double = 0.05, seed: UInt64 = 1)
    throws(DiscoveryError)
  {
    guard runs >= 1 && runs <= 1_000_000 else {
      throw DiscoveryError(field: "runs", message: "must be from 1 to 1000000, got \(runs)")
    }
    guard clusterCount >= 2 && clusterCount <= 20 else {
      throw DiscoveryError(field: "k", message: "must be from 2 to 20, got \(clusterCount)")
    }
    guard units >= 40 * clusterCount && units <= 1_000_000 else {
      throw DiscoveryError(field: "units", message: "must be from \(40 * clusterCount) to 1000000, got \(units)")
    }
    guard alpha > 0 && alpha < 1 else {
      throw DiscoveryError(field: "alpha", message: "must be in (0, 1), got \(alpha)")
    }
    guard seed < 1 << 32 else { throw DiscoveryError(field: "seed", message: "must be below 4294967296, got \(seed)") }
    self.runs = runs
    self.units = units
    self.clusterCount = clusterCount
    self.alpha = alpha
    self.seed = seed
  }

  /// Rejections of each workflow.
  public struct Result: Sendable, Hashable {
    public let runs: Int
    public let alpha: Double
    public let doubleDippingRejections: Int
    public let honestRejections: Int
    public var doubleDippingRate: Double { Double(doubleDippingRejections) / Double(runs) }
    public var honestRate: Double { Double(honestRejections) / Double(runs) }
    /// The Monte Carlo standard error of a rate equal to α.
    public var standardError: Double { (alpha * (1 - alpha) / Double(runs)).squareRoot() }
  }

  public func run() throws(DiscoveryError) -> Result {
    let generator = try SegmentDiscovery.generatorFor(seed)
    let split = try HonestSplit(salt: "null-simulation")
    let halves = (0..<units).map { split.half("u\($0)") == .discovery }
    let kmeans = try KMeans(clusterCount: clusterCount, restarts: 1)
    var naive = 0
    var honest = 0
    for _ in 0..<runs {
      var features = [Double](repeating: 0, count: units * 2)
      var arms = [Bool](repeating: false, count: units)
      var outcomes = [Double](repeating: 0, count: units)
      for i in 0..<units {
        features[2 * i] = generator.standardNormal()
        features[2 * i + 1] = generator.standardNormal()
        arms[i] = generator.uniform() < 0.5
        outcomes[i] = generator.standardNormal()
      }
      let all = FeatureMatrix(rowCount: units, columnCount: 2, values: features)
      // Double dipping: find, choose and test on the same units.
      let fit = try kmeans.fit(all, generator: generator)
      if let best = bestSegment(fit.labels, rows: Array(0..<units), arms: arms, outcomes: outcomes),
        best.pValue < alpha
      {
        naive += 1
      }
      // Honest: find and choose on the discovery half, test on the confirmation half.
      let discoveryRows = (0..<units).filter { halves[$0] }
      let confirmationRows = (0..<units).filter { !halves[$0] }
      let discoveryFit = try kmeans.fit(all.rows(discoveryRows), generator: generator)
      guard let chosen = bestSegment(discoveryFit.labels, rows: discoveryRows, arms: arms, outcomes: outcomes) else {
        continue
      }
      var confirmationLabels = [Int](repeating: 0, count: confirmationRows.count)
      _ = KMeans.assign(all.rows(confirmationRows), discoveryFit.centroids, &confirmationLabels)
      let members = zip(confirmationRows, confirmationLabels).filter { $0.1 == chosen.segment }.map(\.0)
      if let p = welchPValue(members, arms: arms, outcomes: outcomes), p < alpha { honest += 1 }
    }
    return Result(runs: runs, alpha: alpha, doubleDippingRejections: naive, honestRejections: honest)
  }

  /// The segment with the smallest Welch p-value among `rows` labelled `labels` (parallel arrays).
  func bestSegment(_ labels: [Int], rows: [Int], arms: [Bool], outcomes: [Double]) -> (segment: Int, pValue: Double)? {
    var best: (Int, Double)?
    for segment in 0..<clusterCount {
      let members = zip(rows, labels).filter { $0.1 == segment }.map(\.0)
      guard let p = welchPValue(members, arms: arms, outcomes: outcomes) else { continue }
      if best.map({ p < $0.1 }) ?? true { best = (segment, p) }
    }
    return best.map { (segment: $0.0, pValue: $0.1) }
  }

  /// Welch's two-sided p-value of treatment − control among `members`; nil with fewer than 2 units in an arm.
  func welchPValue(_ members: [Int], arms: [Bool], outcomes: [Double]) -> Double? {
    func summary(_ treated: Bool) -> SampleSummary? {
      let values = members.filter { arms[$0] == treated }.map { outcomes[$0] }
      guard values.count >= 2 else { return nil }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
      return try? SampleSummary(count: Double(values.count), mean: mean, standardDeviation: variance.squareRoot())
    }
    guard let control = summary(false), let treatment = summary(true) else { return nil }
    return try? WelchTTest(control: control, treatment: treatment).result().test.pValue
  }
}
