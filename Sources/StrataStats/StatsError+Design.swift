import StrataDesign

extension StatsError {
  /// A design error as the statistics' bad-input error: the same field and message.
  public init(_ error: DesignError) {
    self = .invalidInput(field: error.field, message: error.message)
  }

  /// Runs a design call (a factor, a fraction, a spending spelling), its error as a `StatsError`.
  public static func converting<T>(_ body: () throws(DesignError) -> T) throws(StatsError) -> T {
    do {
      return try body()
    } catch {
      throw StatsError(error)
    }
  }
}
