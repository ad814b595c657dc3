/// One number of segments tried: its fit and whether its smallest segment can be powered.
public struct ClusterCountCandidate: Sendable, Hashable {
  public let clusterCount: Int
  /// The method's objective: the within-segment sum of squares (k-means, Ward) or the k-prototypes cost.
  public let inertia: Double
  /// Mean silhouette (higher is better), over the discovery half or its seeded sample.
  public let silhouette: Double
  /// Davies–Bouldin index (lower is better), over the whole discovery half.
  public let daviesBouldin: Double
  /// Discovery units per segment, largest first.
  public let sizes: [Int]
  /// Whether the smallest segment reaches the minimum (true when there is none).
  public let powered: Bool

  public var smallestSegment: Int { sizes.last ?? 0 }
}

/// A discovered segment: its centroid in the features' own units and the units it holds in the discovery half.
public struct DiscoveredSegment: Sendable, Hashable {
  public let name: String
  public let size: Int
  /// One value per numeric feature, in the features' own units (the centroid of the frozen rule).
  public let centroid: [Double]
  /// Mean of each numeric feature over the segment's units with a value.
  public let means: [Double]
  /// The most common level of each categorical feature (the centroid's level), nil when no unit had one.
  public let levels: [String?]
  /// The share of the segment's units (with a value) at that level.
  public let levelShares: [Double]
}

/// Everything a discovery run found, with what it was run on.
public struct DiscoveryResult: Sendable {
  public let options: DiscoveryOptions
  /// Units read, and in each half.
  public let audienceCount: Int
  public let discoveryCount: Int
  public let confirmationCount: Int
  /// Discovery units left out because a feature was missing (policy `drop`).
  public let droppedForMissing: Int
  /// Discovery units clustered.
  public let clusteredCount: Int
  /// Units the silhouette was computed over (all clustered units, or a seeded sample).
  public let silhouetteCount: Int
  /// Missing values per numeric feature in the discovery half.
  public let missingCounts: [Int]
  public let scales: [FeatureScale]
  /// The categorical features, in order.
  public let categoricalNames: [String]
  /// The weight of a categorical mismatch used (nil without categorical features).
  public let gamma: Double?
  /// What grouped the units: "k-means", "k-prototypes" or "Ward".
  public let methodName: String
  /// Units Ward's clustering ran on (the clustered units, or a seeded sample); nil for the other methods.
  public let wardUnits: Int?
  /// Every k tried, in order.
  public let candidates: [ClusterCountCandidate]
  /// The chosen k: the best silhouette among the powered candidates (ties: lower Davies–Bouldin, then fewer
  /// segments).
  public let chosen: ClusterCountCandidate
  /// The chosen segments, largest first, named segment_1, segment_2, ….
  public let segments: [DiscoveredSegment]
  /// The mean of each numeric feature over the clustered units with a value.
  public let overallMeans: [Double]
  /// Over all clustered units, the share at each segment's level: `overallLevelShares[segment][feature]`.
  public let overallLevelShares: [[Double]]
  /// The chosen clustering's assignment of the clustered discovery units (index into `segments`), with their ids
  /// (no ids when the audience was read without them, as `strata discover` reads it).
  public internal(set) var discoveryUnits: [String]
  public internal(set) var discoveryLabels: [Int]
  /// The clustered units' scaled features (rows of `discoveryUnits`), for projections in the report.
  public internal(set) var scaledFeatures: FeatureMatrix
  /// The principal components the clustering read (`--pca`); nil when it read the scaled features.
  public let principalComponents: PrincipalComponents?
  /// The share of the clustered units the frozen nearest-centroid rule places in the segment the clustering gave
  /// them: 1 for k-means and k-prototypes run to convergence (with or without PCA), usually a little less for
  /// Ward's tree and one-hot k-means, whose groups the rule approximates.
  public let ruleAgreement: Double
}

extension DiscoveryResult {
  /// Lets go of the per-unit data, which only ``projection(limit:)`` reads.
  ///
  /// `discoveryUnits`, `discoveryLabels` and `scaledFeatures` are the discovery half's size; everything written from
  /// the result stays. `strata discover` calls it once the report's projection is taken, before it writes anything.
  public mutating func releaseUnitData() {
    discoveryUnits = []
    discoveryLabels = []
    scaledFeatures = FeatureMatrix(rowCount: 0, columnCount: scaledFeatures.columnCount, values: [])
  }
}
