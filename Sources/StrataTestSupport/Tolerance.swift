/// `|actual − expected| ≤ absoluteTolerance + relativeTolerance·|expected|` (numpy's `isclose` rule).
///
/// Infinities compare equal only to themselves; NaN never compares close.
public func isClose(
  _ actual: Double, _ expected: Double, relativeTolerance: Double = 1e-9, absoluteTolerance: Double = 0
) -> Bool {
  if actual.isNaN || expected.isNaN { return false }
  if actual.isInfinite || expected.isInfinite { return actual == expected }
  return abs(actual - expected) <= absoluteTolerance + relativeTolerance * abs(expected)
}
