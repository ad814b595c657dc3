/// Values a command keeps until the process ends, so that nothing frees them just before it ends.
///
/// Freeing the analysis after `analyze` has written its output is work no one sees: the process ends a moment
/// later and the system takes its memory back whole. At 20,000 segments × 16 variants (600,000 comparisons, their
/// names, notes and Bayesian summaries, and the definition's 20,000 segments) the releases cost 0.53 G
/// instructions of a 27.3 G run (callgrind, 1 M rows). Only after the output is written and nothing can fail
/// any more: an error thrown before it frees as usual, and the flush and its check at the end of `Strata.main`,
/// and so the exit status, are unchanged.
enum UntilExit {
  private final class Holder<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
  }

  /// Keeps a copy of `value` (which shares its arrays' storage) from ever being released.
  static func keep<Value>(_ value: Value) {
    _ = Unmanaged.passRetained(Holder(value))
  }
}
