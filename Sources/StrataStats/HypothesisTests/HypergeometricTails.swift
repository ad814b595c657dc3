// Tail sums of the hypergeometric distribution for Fisher's exact test.
//
// Goals, in priority order:
// 1. Full relative precision for p-values from 1 down to ~1e-300 (the p-value is formed in log space).
// 2. Match scipy.stats.fisher_exact, including its tie rule for the two-sided p-value.
// 3. Speed for counts of 1e8 and more: work proportional to the spread of the distribution (about 41
//    standard deviations per side), never to the counts themselves.
//
// Method: log-weights w(k) = ln f(k) − ln f(mode) are built by the exact ratio recurrence
//   f(k+1)/f(k) = (K − k)(n − k) / ((k + 1)(N − K − n + k + 1))
// walking outward from the mode, and summed with Neumaier compensation. Each step adds an absolute error of
// a few ulp(1) (the logarithm of a ratio near 1), so after s steps w is good to about s·4e-16; tie
// detection uses that bound. The normalising constant is the walked sum itself, so no ln C(N, n) of 1e9-size
// arguments (whose own absolute error would be ~1e-7) enters the result.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Neumaier's compensated sum: the error does not grow with the number of terms.
struct CompensatedSum {
  private(set) var sum = 0.0
  private var compensation = 0.0

  mutating func add(_ x: Double) {
    let t = sum + x
    if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
    sum = t
  }

  var value: Double { sum + compensation }
}

/// One side of the hypergeometric pmf, walked outward from the mode: `logWeights[j]` is w(mode ± j).
struct HypergeometricBranch {
  let direction: Double
  let limit: Double
  private(set) var logWeights: [Double] = [0]
  private var running = CompensatedSum()
  private let population: Double, successes: Double, draws: Double, mode: Double

  init(direction: Double, limit: Double, population: Double, successes: Double, draws: Double, mode: Double) {
    self.direction = direction
    self.limit = limit
    self.population = population
    self.successes = successes
    self.draws = draws
    self.mode = mode
  }

  /// The last k reached.
  var lastValue: Double { mode + direction * Double(logWeights.count - 1) }
  var atEnd: Bool { lastValue == limit }
  var lastLogWeight: Double { logWeights[logWeights.count - 1] }

  /// ln f(k+1)/f(k).
  private func logRatio(_ k: Double) -> Double {
    let numerator = (successes - k) * (draws - k)
    let denominator = (k + 1) * (population - successes - draws + k + 1)
    return log(numerator / denominator)
  }

  /// Adds the next value outward; returns false at the end of the support.
  @discardableResult
  mutating func extend() -> Bool {
    guard !atEnd else { return false }
    let k = lastValue
    running.add(direction > 0 ? logRatio(k) : -logRatio(k - 1))
    logWeights.append(running.value)
    return true
  }

  /// Extends while `condition(lastLogWeight, steps)` holds and the support lasts.
  mutating func extend(while condition: (Double, Int) -> Bool) {
    while condition(lastLogWeight, logWeights.count - 1) && extend() {}
  }

  /// Σ exp(w_j − reference) over j in `range` where `include(w_j, j)`.
  func sum(from start: Int, reference: Double, where include: (Double, Int) -> Bool = { _, _ in true }) -> Double {
    var total = CompensatedSum()
    var j = start
    while j < logWeights.count {
      if include(logWeights[j], j) { total.add(exp(logWeights[j] - reference)) }
      j += 1
    }
    return total.value
  }
}

