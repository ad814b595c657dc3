internal import CStrataGSL

/// A seeded, reproducible stream of random numbers from GSL (`gsl_rng_mt19937`, Mersenne Twister).
///
/// The same seed gives the same numbers on every platform GSL runs on (GSL documents the generator's
/// output as platform independent). One stream belongs to one task: it is not `Sendable`.
final class RandomStream {
  private let generator: UnsafeMutablePointer<gsl_rng>

  /// A Mersenne Twister seeded with `seed` (GSL takes an unsigned long; seed 0 is GSL's default seed 4357).
  init(seed: UInt64) throws(StatsError) {
    GSL.prepare()
    guard let type = Self.mersenneTwister, let generator = gsl_rng_alloc(type) else {
      throw .numerical(
        routine: "gsl_rng_alloc", status: Int32(GSL_ENOMEM), message: "cannot allocate a random number generator")
    }
    gsl_rng_set(generator, UInt(truncatingIfNeeded: seed))
    self.generator = generator
  }

  /// `gsl_rng_mt19937`, looked up by name in `gsl_rng_types_setup()` (the global variable itself is
  /// shared mutable state to Swift's concurrency checker).
  private static var mersenneTwister: UnsafePointer<gsl_rng_type>? {
    guard var cursor = gsl_rng_types_setup() else { return nil }
    while let type = cursor.pointee {
      if String(cString: type.pointee.name) == "mt19937" { return type }
      cursor += 1
    }
    return nil
  }

  deinit { gsl_rng_free(generator) }

  /// A standard normal draw (`gsl_ran_gaussian_ziggurat` with σ = 1).
  func standardNormal() -> Double { gsl_ran_gaussian_ziggurat(generator, 1.0) }

  /// A uniform draw on [0, 1) (`gsl_rng_uniform`).
  func uniform() -> Double { gsl_rng_uniform(generator) }

  /// A uniform whole number in 0..<`bound` (`gsl_rng_uniform_int`; `bound` in 1..<2³²).
  func uniformIndex(below bound: Int) -> Int { Int(gsl_rng_uniform_int(generator, UInt(bound))) }
}
