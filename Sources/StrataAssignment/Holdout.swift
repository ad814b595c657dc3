/// A global holdout: units whose holdout bucket is below `share × 10000` get no experiment at all, so
/// the long-run effect of all campaigns can be measured against them.
public struct Holdout: Sendable, Hashable {
  /// The salt of the holdout hash; every experiment honouring this holdout uses the same one.
  public var salt: String
  /// Fraction of all units held out, in [0, 1].
  public var share: ExactDecimal

  public init(salt: String, share: ExactDecimal) {
    self.salt = salt
    self.share = share
  }
}
