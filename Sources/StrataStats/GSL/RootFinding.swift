// `@preconcurrency`: `gsl_root_fsolver_brent` is a C global constant that Swift sees as shared mutable state.
@preconcurrency internal import CStrataGSL

/// Context handed to GSL's C callback through `params`: the Swift function and the first error it threw.
private final class RootFindingContext {
  let function: (Double) throws(StatsError) -> Double
  var error: StatsError?

  init(function: @escaping (Double) throws(StatsError) -> Double) {
    self.function = function
  }
}

extension GSL {
  /// Finds x in [lower, upper] with f(x) = 0 by Brent's method (`gsl_root_fsolver_brent`).
  ///
  /// f must change sign over the bracket (the caller brackets; a bracket without a sign change is a
  /// programmer error in this module and throws `numerical`). Iterates until the bracket is narrower than
  /// `absoluteTolerance + relativeTolerance·|x|` (`gsl_root_test_interval`). An error thrown by f is
  /// rethrown as is; a non-finite f value or no convergence in `maxIterations` throws `numerical`.
  static func findRoot(
    lower: Double, upper: Double, absoluteTolerance: Double = 1e-12, relativeTolerance: Double = 1e-14,
    maxIterations: Int = 200, _ routine: StaticString = #function,
    _ f: (Double) throws(StatsError) -> Double
  ) throws(StatsError) -> Double {
    prepare()
    return try withoutActuallyEscaping(f) { (escapable) throws(StatsError) -> Double in
      let context = RootFindingContext(function: escapable)
      return try withExtendedLifetime(context) { () throws(StatsError) -> Double in
        guard let solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent) else {
          throw .numerical(routine: "\(routine)", status: Int32(GSL_ENOMEM), message: "cannot allocate the root solver")
        }
        defer { gsl_root_fsolver_free(solver) }
        var function = gsl_function(
          function: { x, params in
            guard let params else { return .nan }
            let context = Unmanaged<RootFindingContext>.fromOpaque(params).takeUnretainedValue()
            do throws(StatsError) {
              return try context.function(x)
            } catch {
              if context.error == nil { context.error = error }
              return .nan
            }
          },
          params: Unmanaged.passUnretained(context).toOpaque())
        func rethrowingContextError(_ body: () throws(StatsError) -> Void) throws(StatsError) {
          do { try body() } catch { throw context.error ?? error }
        }
        try rethrowingContextError { () throws(StatsError) in
          try check(routine) { gsl_root_fsolver_set(solver, &function, lower, upper) }
        }
        for _ in 0..<maxIterations {
          try rethrowingContextError { () throws(StatsError) in
            try check(routine) { gsl_root_fsolver_iterate(solver) }
          }
          let low = gsl_root_fsolver_x_lower(solver)
          let high = gsl_root_fsolver_x_upper(solver)
          if gsl_root_test_interval(low, high, absoluteTolerance, relativeTolerance) == Int32(GSL_SUCCESS) {
            return gsl_root_fsolver_root(solver)
          }
        }
        throw .numerical(
          routine: "\(routine)", status: Int32(GSL_EMAXITER),
          message: "root not bracketed tightly after \(maxIterations) iterations")
      }
    }
  }
}
