/// What `strata discover` does with missing feature values.
public enum MissingValuePolicy: String, Sendable, Hashable, CaseIterable {
  /// A missing number counts as the feature's centre (scaled 0), in the discovery as in the frozen rule.
  case impute
  /// Units with any missing feature are left out of the discovery (the frozen rule still imputes the centre for
  /// units it meets later).
  case drop
}

/// How units are grouped.
public enum ClusteringMethod: String, Sendable, Hashable, CaseIterable {
  /// k-means (``KMeans``); k-prototypes (``KPrototypes``) when there are categorical features.
  case kmeans
  /// Ward's hierarchical clustering (``WardClustering``), cut at each k; on a seeded sample of
  /// ``DiscoveryOptions/wardLimit`` units when there are more, the rest placed at their nearest cluster mean.
  case ward
}

/// How k-means treats categorical features.
public enum CategoricalEncoding: String, Sendable, Hashable, CaseIterable {
  /// k-prototypes (``KPrototypes``, Huang 1997): γ per mismatch with each cluster's mode. The default: the frozen
  /// nearest-centroid rule is exactly this distance, so it places every unit as the clustering did.
  case kPrototypes = "k-prototypes"
  /// k-means on the scaled numbers and each level one-hot times √(γ/2) (a mismatch costs γ, as in k-prototypes).
  /// The cluster centres hold level shares, which the frozen rule (modes, γ per mismatch) approximates.
  case oneHot = "one-hot"
}

/// The settings of a discovery run; every one is recorded with the result.
public struct DiscoveryOptions: Sendable, Hashable {
  /// The numbers of segments tried.
  public var clusterCounts: ClosedRange<Int>
  /// The seed of every random draw (k-means++ seeding, the silhouette sample); GSL's Mersenne Twister reads 32 bits,
  /// so seeds are 0..<2³².
  public var seed: UInt64
  /// k-means restarts per k (scikit-learn's `n_init`).
  public var restarts: Int
  public var scaling: FeatureScaling
  public var missing: MissingValuePolicy
  /// The smallest segment (units in the discovery half) that can be powered.
  ///
  /// A k whose smallest segment is smaller is marked and not chosen. Nil: no power requirement.
  public var minimumSegmentUnits: Int?
  /// The salt of the honest split.
  public var splitSalt: String
  /// The silhouette is exact over at most this many discovery units (a seeded sample beyond: it costs n²).
  public var silhouetteSampleSize: Int
  public var method: ClusteringMethod
  /// The weight of a categorical mismatch (k-prototypes' γ); nil for the default, half the mean standard deviation
  /// of the scaled numeric features.
  public var gamma: Double?
  /// Cluster on the fewest principal components of the scaled numeric features whose share of the variance
  /// exceeds this (0 < share < 1); nil: on the scaled features themselves.
  public var varianceShare: Double?
  public var categoricalEncoding: CategoricalEncoding
  /// The most units Ward's tree is built on; larger discovery halves are sampled (seeded) down to this.
  public var wardSampleSize: Int

  /// The default of ``wardSampleSize``.
  public static let wardLimit = 20_000

  public init(
    clusterCounts: ClosedRange<Int> = 2...8, seed: UInt64 = 1, restarts: Int = 4, scaling: FeatureScaling = .standard,
    missing: MissingValuePolicy = .impute, minimumSegmentUnits: Int? = nil, splitSalt: String,
    silhouetteSampleSize: Int = 4_000, method: ClusteringMethod = .kmeans, gamma: Double? = nil,
    varianceShare: Double? = nil, categoricalEncoding: CategoricalEncoding = .kPrototypes,
    wardSampleSize: Int = DiscoveryOptions.wardLimit
  ) throws(DiscoveryError) {
    if let varianceShare, !(varianceShare > 0 && varianceShare < 1) {
      throw DiscoveryError(
        field: "pca", message: "the share of variance must lie strictly between 0 and 1, got \(varianceShare)")
    }
    guard wardSampleSize >= 10 && wardSampleSize <= 100_000 else {
      throw DiscoveryError(
        field: "ward-sample",
        message: "must be from 10 to 100000, got \(wardSampleSize) (Ward's time grows with its square)")
    }
    if let gamma, !(gamma >= 0 && gamma.isFinite) {
      throw DiscoveryError(field: "gamma", message: "must be a non-negative number, got \(gamma)")
    }
    guard clusterCounts.lowerBound >= 2 && clusterCounts.upperBound <= 50 else {
      throw DiscoveryError(
        field: "k",
        message:
          "the numbers of segments must lie in 2...50, got \(clusterCounts.lowerBound)..\(clusterCounts.upperBound)")
    }
    if method == .ward && wardSampleSize <= clusterCounts.upperBound {
      throw DiscoveryError(
        field: "ward-sample",
        message: "\(wardSampleSize) units cannot be cut into \(clusterCounts.upperBound) segments; give more")
    }
    guard seed < 1 << 32 else {
      throw DiscoveryError(field: "seed", message: "must be a whole number from 0 to 4294967295, got \(seed)")
    }
    guard restarts >= 1 && restarts <= 1_000 else {
      throw DiscoveryError(field: "n-init", message: "must be from 1 to 1000, got \(restarts)")
    }
    if let minimumSegmentUnits, minimumSegmentUnits < 1 {
      throw DiscoveryError(field: "min-segment-units", message: "must be at least 1, got \(minimumSegmentUnits)")
    }
    guard silhouetteSampleSize >= 10 else {
      throw DiscoveryError(field: "silhouette-sample", message: "must be at least 10, got \(silhouetteSampleSize)")
    }
    self.clusterCounts = clusterCounts
    self.seed = seed
    self.restarts = restarts
    self.scaling = scaling
    self.missing = missing
    self.minimumSegmentUnits = minimumSegmentUnits
    self.splitSalt = try HonestSplit(salt: splitSalt).salt
    self.silhouetteSampleSize = silhouetteSampleSize
    self.method = method
    self.gamma = gamma
    self.varianceShare = varianceShare
    self.categoricalEncoding = categoricalEncoding
    self.wardSampleSize = wardSampleSize
  }

  /// The seed of k-means for `k` clusters: (seed + 1000·k) mod 2³², so each k's result does not depend on which
  /// other k were tried.
  public func seed(clusterCount k: Int) -> UInt64 { (seed &+ 1_000 &* UInt64(k)) & 0xFFFF_FFFF }
}
