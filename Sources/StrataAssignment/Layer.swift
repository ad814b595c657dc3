/// A mutually exclusive layer: experiments in the same layer take disjoint bucket ranges of the
/// layer's own hash, so no unit is in two of them.
public struct Layer: Sendable, Hashable {
  /// The layer's name; also its salt unless `salt` is set.
  public var name: String
  /// The salt of the layer hash (`salt + ":" + unit`), shared by every experiment in the layer.
  public var salt: String
  /// This experiment's half-open range of layer buckets, within 0..<10000.
  public var buckets: Range<Int>

  public init(name: String, salt: String? = nil, buckets: Range<Int>) {
    self.name = name
    self.salt = salt ?? name
    self.buckets = buckets
  }
}
