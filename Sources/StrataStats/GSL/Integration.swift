internal import CStrataGSL

/// Adaptive quadrature through GSL (QUADPACK's QAGS and QAGIU), for integrands written in Swift.
///
/// The integrand is a non-throwing Swift closure; GSL receives it through `params` (a `gsl_function`
/// callback cannot capture context). GSL stops when its error estimate is below
/// max(absoluteTolerance, relativeTolerance·|result|); a result is also accepted when GSL reports only
/// round-off or the subdivision limit while its estimate is below
/// max(acceptableRelativeError·|result|, 10·absoluteTolerance).
enum Integration {
  private final class Integrand {
    let body: (Double) -> Double
    init(_ body: @escaping (Double) -> Double) { self.body = body }
  }

  /// ∫ₐᵇ f(x) dx with QAGS (21-point Gauss–Kronrod, Wynn extrapolation; copes with endpoint singularities).
  static func finite(
    from a: Double, to b: Double, absoluteTolerance: Double, relativeTolerance: Double, acceptableRelativeError: Double,
    _ f: @escaping (Double) -> Double
  ) throws(StatsError) -> Double {
    try integrate(
      absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
      acceptableRelativeError: acceptableRelativeError, f
    ) {
      function, workspace, limit, result, error in
      gsl_integration_qags(function, a, b, absoluteTolerance, relativeTolerance, limit, workspace, result, error)
    }
  }

  /// ∫ₐ^∞ f(x) dx with QAGIU (QAGS after x = a + (1 − τ)/τ).
  static func toInfinity(
    from a: Double, absoluteTolerance: Double, relativeTolerance: Double, acceptableRelativeError: Double,
    _ f: @escaping (Double) -> Double
  ) throws(StatsError) -> Double {
    try integrate(
      absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
      acceptableRelativeError: acceptableRelativeError, f
    ) {
      function, workspace, limit, result, error in
      gsl_integration_qagiu(function, a, absoluteTolerance, relativeTolerance, limit, workspace, result, error)
    }
  }

  /// ∫_−∞^b f(x) dx with QAGIL (QAGS after x = b − (1 − τ)/τ).
  static func fromNegativeInfinity(
    to b: Double, absoluteTolerance: Double, relativeTolerance: Double, acceptableRelativeError: Double,
    _ f: @escaping (Double) -> Double
  ) throws(StatsError) -> Double {
    try integrate(
      absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance,
      acceptableRelativeError: acceptableRelativeError, f
    ) {
      function, workspace, limit, result, error in
      gsl_integration_qagil(function, b, absoluteTolerance, relativeTolerance, limit, workspace, result, error)
    }
  }

  private static func integrate(
    absoluteTolerance: Double, relativeTolerance: Double, acceptableRelativeError: Double,
    _ f: @escaping (Double) -> Double,
    _ routine: (
      UnsafeMutablePointer<gsl_function>, UnsafeMutablePointer<gsl_integration_workspace>, Int,
      UnsafeMutablePointer<Double>,
      UnsafeMutablePointer<Double>
    ) -> CInt
  ) throws(StatsError) -> Double {
    GSL.prepare()
    let limit = 500
    guard let workspace = gsl_integration_workspace_alloc(limit) else {
      throw .numerical(routine: "Integration", status: Int32(GSL_ENOMEM), message: "cannot allocate a workspace")
    }
    defer { gsl_integration_workspace_free(workspace) }
    let box = Integrand(f)
    var result = 0.0
    var error = 0.0
    let status: CInt = withExtendedLifetime(box) {
      var function = gsl_function(
        function: { x, params in
          guard let params else { return .nan }
          return Unmanaged<Integrand>.fromOpaque(params).takeUnretainedValue().body(x)
        },
        params: Unmanaged.passUnretained(box).toOpaque())
      return routine(&function, workspace, limit, &result, &error)
    }
    let acceptable = error <= max(acceptableRelativeError * abs(result), 10 * absoluteTolerance)
    if status != Int32(GSL_SUCCESS) && !(acceptable && (status == Int32(GSL_EROUND) || status == Int32(GSL_EMAXITER))) {
      try GSL.check("Integration") { status }
    }
    guard result.isFinite else {
      throw .numerical(routine: "Integration", status: Int32(GSL_EDOM), message: "non-finite integral")
    }
    return result
  }
}
