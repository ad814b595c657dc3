internal import CStrataGSL

/// The one doorway to GSL.
///
/// GSL's default error handler calls `abort()`, which would kill the process (and, under `swift test`,
/// every test). The handler is switched off once, before the first call through this doorway, and every
/// status or NaN result becomes a `StatsError.numerical`. Some invalid inputs bypass the handler and return
/// NaN silently (`gsl_cdf_tdist_Pinv(2.0, 3)`), so results are checked for NaN as well as statuses.
enum GSL {
  private static let abortHandlerDisabled: Void = {
    _ = gsl_set_error_handler_off()
  }()

  /// Makes sure the abort handler is off.
  ///
  /// Call before any GSL routine that is not reached through `value` or `check` (for example allocation functions).
  static func prepare() {
    _ = abortHandlerDisabled
  }

  /// Runs a GSL allocation; a null result (out of memory) becomes an error.
  ///
  /// Give each allocation its own `let` and `defer { …_free(…) }` right after it, so whatever was
  /// allocated before a failing allocation is freed as the error leaves the scope.
  static func allocate<Pointer>(_ routine: StaticString, _ body: () -> Pointer?) throws(StatsError) -> Pointer {
    _ = abortHandlerDisabled
    guard let pointer = body() else {
      throw .numerical(routine: "\(routine)", status: Int32(GSL_ENOMEM), message: "out of memory")
    }
    return pointer
  }

  /// Runs a routine that returns a double; a NaN result becomes an error.
  static func value(_ routine: StaticString = #function, _ body: () -> Double) throws(StatsError) -> Double {
    _ = abortHandlerDisabled
    let result = body()
    guard !result.isNaN else {
      throw .numerical(routine: "\(routine)", status: Int32(GSL_EDOM), message: "domain error (NaN result)")
    }
    return result
  }

  /// Runs a routine that returns a GSL status; anything but `GSL_SUCCESS` becomes an error.
  static func check(_ routine: StaticString = #function, _ body: () -> CInt) throws(StatsError) {
    _ = abortHandlerDisabled
    let status = body()
    guard status == Int32(GSL_SUCCESS) else {
      let message = gsl_strerror(status).map { String(cString: $0) } ?? "unknown GSL error"
      throw .numerical(routine: "\(routine)", status: status, message: message)
    }
  }

  /// Runs a `_e` special function that fills a `gsl_sf_result`; returns its value.
  static func special(
    _ routine: StaticString = #function, _ body: (UnsafeMutablePointer<gsl_sf_result>) -> CInt
  ) throws(StatsError) -> Double {
    var result = gsl_sf_result(val: 0, err: 0)
    try check(routine) { body(&result) }
    guard !result.val.isNaN else {
      throw .numerical(routine: "\(routine)", status: Int32(GSL_EDOM), message: "domain error (NaN result)")
    }
    return result.val
  }

  /// Like `special`, but a result too small for a double (status `GSL_EUNDRFLW`) is 0 rather than an error.
  ///
  /// For terms of a sum whose smallest members legitimately underflow.
  static func specialUnderflowingToZero(
    _ routine: StaticString = #function, _ body: (UnsafeMutablePointer<gsl_sf_result>) -> CInt
  ) throws(StatsError) -> Double {
    _ = abortHandlerDisabled
    var result = gsl_sf_result(val: 0, err: 0)
    let status = body(&result)
    if status == Int32(GSL_EUNDRFLW) { return 0 }
    try check(routine) { status }
    guard !result.val.isNaN else {
      throw .numerical(routine: "\(routine)", status: Int32(GSL_EDOM), message: "domain error (NaN result)")
    }
    return result.val
  }
}
