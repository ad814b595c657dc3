internal import CStrataGSL

/// A seeded, reproducible source of random numbers for other modules (segment discovery's k-means++
/// seeding and samples): GSL's Mersenne Twister (`gsl_rng_mt19937`) behind a Swift type.
///
/// The same seed gives the same numbers on every platform GSL runs on, so a result that records its seed can
/// be reproduced exactly. One generator belongs to one task: it is not `Sendable`.
public final class SeededGenerator {
  /// The seed it was started with (record it next to anything drawn from it).
  public let seed: UInt64
  private let stream: RandomStream

  /// A Mersenne Twister seeded with `seed` (GSL takes an unsigned long; seed 0 is GSL's default seed 4357).
  public init(seed: UInt64) throws(StatsError) {
    self.seed = seed
    self.stream = try RandomStream(seed: seed)
  }

  /// A uniform draw on [0, 1) (`gsl_rng_uniform`).
  public func uniform() -> Double { stream.uniform() }

  /// A uniform whole number in 0..<`bound` (`gsl_rng_uniform_int`, which rejects rather than wraps, so
  /// every value is equally likely).
  ///
  /// `bound` must be positive and below 2³² (the generator's range).
  public func index(below bound: Int) -> Int {
    precondition(bound > 0 && bound < 1 << 32, "bound must be in 1..<2^32")
    return stream.uniformIndex(below: bound)
  }

  /// A standard normal draw (`gsl_ran_gaussian_ziggurat`).
  public func standardNormal() -> Double { stream.standardNormal() }
}
