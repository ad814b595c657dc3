import StrataStats

/// One metric's running summary in one variant × segment cell.
public struct MetricAccumulator: Sendable, Hashable {
  /// Count, mean and M2 of the non-missing values (Welford, so no sum-of-squares cancellation).
  public var moments = RunningMoments()
  /// The plain sum of the values (exact for 0/1 metrics up to 2⁵³ units).
  public var sum = 0.0
  /// Units whose value was missing and excluded by the metric's policy.
  public var missing = 0

  public init() {}

  @inline(__always)
  public mutating func add(_ value: Double) {
    moments.add(value)
    sum += value
  }

  public mutating func merge(_ other: MetricAccumulator) {
    moments.merge(other.moments)
    sum += other.sum
    missing += other.missing
  }

  public var count: Double { moments.count }
}

/// Sufficient statistics per variant × segment (unit counts) and per variant × segment × metric.
///
/// The memory is fixed by the plan's shape, never by the number of rows.
public struct SufficientStatistics: Sendable, Hashable {
  public let variantCount: Int
  public let segmentCount: Int
  public let metricCount: Int
  /// Units per cell, index `variant * segmentCount + segment`.
  public internal(set) var units: [Int]
  /// Metric accumulators, index `(variant * segmentCount + segment) * metricCount + metric`.
  public internal(set) var metrics: [MetricAccumulator]

  public init(variantCount: Int, segmentCount: Int, metricCount: Int) {
    self.variantCount = variantCount
    self.segmentCount = segmentCount
    self.metricCount = metricCount
    units = [Int](repeating: 0, count: variantCount * segmentCount)
    metrics = [MetricAccumulator](repeating: MetricAccumulator(), count: variantCount * segmentCount * metricCount)
  }

  public func units(variant: Int, segment: Int) -> Int { units[variant * segmentCount + segment] }

  /// Units of `variant` over all segments.
  public func units(variant: Int) -> Int { (0..<segmentCount).reduce(0) { $0 + units(variant: variant, segment: $1) } }

  public func metric(_ metric: Int, variant: Int, segment: Int) -> MetricAccumulator {
    metrics[(variant * segmentCount + segment) * metricCount + metric]
  }

  /// `metric` of `variant` merged over all segments.
  public func metric(_ metric: Int, variant: Int) -> MetricAccumulator {
    var total = MetricAccumulator()
    for segment in 0..<segmentCount { total.merge(self.metric(metric, variant: variant, segment: segment)) }
    return total
  }

  @inline(__always)
  mutating func addUnit(variant: Int, segment: Int) { units[variant * segmentCount + segment] += 1 }

  @inline(__always)
  mutating func add(_ value: Double, metric: Int, variant: Int, segment: Int) {
    metrics[(variant * segmentCount + segment) * metricCount + metric].add(value)
  }

  @inline(__always)
  mutating func addMissing(metric: Int, variant: Int, segment: Int) {
    metrics[(variant * segmentCount + segment) * metricCount + metric].missing += 1
  }

  mutating func set(units count: Int, variant: Int, segment: Int) { units[variant * segmentCount + segment] += count }

  mutating func set(_ accumulator: MetricAccumulator, metric: Int, variant: Int, segment: Int) {
    metrics[(variant * segmentCount + segment) * metricCount + metric].merge(accumulator)
  }
}
