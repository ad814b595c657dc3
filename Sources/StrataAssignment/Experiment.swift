/// A campaign experiment as assignment sees it: who takes part, which variants they can get in what
/// proportions and how the audience is segmented.
///
/// The initializer validates everything once (throwing ``DefinitionError`` naming the field) and
/// compiles the rules and bucket layouts, so ``assign(unit:attributes:)`` only hashes and compares.
/// Definitions usually come from YAML files (`experiments/*.yaml`, read by `DefinitionLoader` in
/// StrataDefinitions, which adds what is measured and how it is analysed); the bucketing is specified in
/// docs/assignment-spec.md.
public struct Experiment: Sendable, Hashable {
  /// Identifier (letters, digits, `_`, `-`), also the default salt.
  public let id: String
  /// Name for people.
  public let name: String
  public let hypothesis: String?
  /// The unit id column of input files (`member_id`).
  public let unit: String
  /// The variant hash's salt: key = UTF-8 of `salt + ":" + unit`.
  ///
  /// Changing it reshuffles everyone.
  public let salt: String
  /// Variants in layout order.
  public let variants: [Variant]
  /// Index of the control variant in `variants` (the first unless the definition names another).
  public let controlIndex: Int
  /// Share of each variant's slot in use, in [0, 1].
  public let traffic: ExactDecimal
  public let layer: Layer?
  public let holdout: Holdout?
  /// Who may take part; nil = everyone.
  public let eligibility: Rule?
  /// When set, the name of a boolean attribute that must be true for the unit to be assigned.
  public let consent: String?
  /// Segments in resolution order; the last is the default segment (no rule).
  ///
  /// With ``segmentation`` no segment has a rule: each has a centroid instead.
  public let segments: [Segment]
  /// When set, units are segmented by nearest centroid (spec §5a) instead of by rules.
  public let segmentation: NearestCentroid?

  /// The attributes read by the consent, eligibility and segment rules: the slots of the attribute
  /// array passed to ``assign(unit:attributes:)``.
  public let attributeNames: [String]

  /// How the rules read each attribute, parallel to ``attributeNames``.
  public let attributeReadings: [AttributeReading]

  /// The compiled rules and layouts, shared by copies of this value (one reference to retain).
  @usableFromInline let engine: AssignmentEngine

  /// One layout per segment.
  public var layouts: [BucketLayout] { engine.layouts }

  /// The control variant.
  public var control: Variant { variants[controlIndex] }
  /// Segment names in resolution order, the default segment last.
  public var segmentNames: [String] { segments.map(\.name) }

  /// Validates and compiles a definition.
  ///
  /// `salt` defaults to `id`; `control` (a variant key) defaults to the first variant; a default segment is appended
  /// when the last segment has a rule (or there are none).
  public init(
    id: String, name: String? = nil, hypothesis: String? = nil, unit: String = "unit_id", salt: String? = nil,
    variants: [Variant], control: String? = nil, traffic: ExactDecimal = 1, layer: Layer? = nil,
    holdout: Holdout? = nil, eligibility: Rule? = nil, consent: String? = nil, segments: [Segment] = [],
    segmentation: NearestCentroid? = nil
  ) throws(DefinitionError) {
    try Experiment.check(identifier: id, field: "id", allowDash: true)
    try Experiment.check(identifier: unit, field: "unit", allowDash: true)
    let salt = salt ?? id
    guard !salt.isEmpty else { throw DefinitionError(field: "salt", message: "the salt must not be empty") }
    guard variants.count >= 2 else {
      throw DefinitionError(
        field: "variants", message: "an experiment needs at least 2 variants, got \(variants.count)")
    }
    var keys: Set<String> = []
    for (index, variant) in variants.enumerated() {
      try Experiment.check(identifier: variant.key, field: "variants[\(index)].key", allowDash: true)
      guard keys.insert(variant.key).inserted else {
        throw DefinitionError(field: "variants[\(index)].key", message: "variant \"\(variant.key)\" is listed twice")
      }
    }
    try Experiment.checkWeights(variants.map(\.weight), field: "variants")
    try Experiment.checkValues(variants)
    var controlIndex = 0
    if let control {
      guard let index = variants.firstIndex(where: { $0.key == control }) else {
        throw DefinitionError(
          field: "control",
          message: "\"\(control)\" is not one of the variants (\(variants.map(\.key).joined(separator: ", ")))")
      }
      controlIndex = index
    }
    try Experiment.check(share: traffic, field: "traffic")
    if let layer {
      guard !layer.salt.isEmpty, !layer.name.isEmpty else {
        throw DefinitionError(field: "layer.name", message: "the layer needs a name")
      }
      guard layer.buckets.lowerBound >= 0, layer.buckets.upperBound <= BucketLayout.bucketCount, !layer.buckets.isEmpty
      else {
        throw DefinitionError(
          field: "layer.buckets",
          message:
            "the layer range must be a non-empty part of 0..<10000, got \(layer.buckets.lowerBound)..<\(layer.buckets.upperBound)"
        )
      }
    }
    if let holdout {
      guard !holdout.salt.isEmpty else {
        throw DefinitionError(field: "holdout.salt", message: "the holdout salt must not be empty")
      }
      try Experiment.check(share: holdout.share, field: "holdout.share")
    }
    if let consent { try Experiment.check(identifier: consent, field: "consent", allowDash: false) }

    var segments = segments
    if let segmentation {
      try Experiment.check(segmentation, segments: segments)
    } else {
      try Experiment.checkNoCentroids(segments)
      if segments.last?.rule != nil || segments.isEmpty { segments.append(Segment(name: Segment.defaultName)) }
    }
    // By index, reading each segment's fields in place: enumerating copied every segment whole (its rule and
    // weights retained and released), about 600 instructions a segment.
    var segmentNames = Set<String>(minimumCapacity: segments.count)
    var layouts: [BucketLayout] = []
    layouts.reserveCapacity(segments.count)
    var sharedLayout: BucketLayout?
    for index in segments.indices {
      // Spelt only for an error (20,000 segments would otherwise make 80,000 strings here).
      func field() -> String { "segments[\(index)]" }
      let segmentName = segments[index].name
      try Experiment.check(identifier: segmentName, field: "\(field()).name", allowDash: true)
      guard segmentNames.insert(segmentName).inserted else {
        throw DefinitionError(field: "\(field()).name", message: "segment \"\(segmentName)\" is listed twice")
      }
      if segments[index].rule == nil && index != segments.count - 1 && segmentation == nil {
        throw DefinitionError(
          field: "\(field()).rule",
          message:
            "only the last segment may have no rule (it takes everyone else); segment \"\(segmentName)\" has none")
      }
      for key in segments[index].weights.keys where !keys.contains(key) {
        throw DefinitionError(field: "\(field()).weights.\(key)", message: "\"\(key)\" is not one of the variants")
      }
      if segments[index].weights.isEmpty && segments[index].traffic == nil {
        // The experiment's weights and traffic, checked above: one layout for every such segment, laid out once
        // (at 20,000 segments × 16 variants, 20,000 identical layouts cost 0.13 G instructions).
        var layout: BucketLayout
        if let sharedLayout {
          layout = sharedLayout
        } else {
          layout = BucketLayout(weights: variants.map(\.weight.tenThousandths), traffic: traffic.tenThousandths)
          try Experiment.checkTraffic(layout, variants: variants, weights: variants.map(\.weight), traffic: traffic)
        }
        sharedLayout = layout
        layouts.append(layout)
        continue
      }
      let segmentWeights = segments[index].weights
      let weights = variants.map { segmentWeights[$0.key] ?? $0.weight }
      try Experiment.checkWeights(weights, field: "\(field()).weights")
      let segmentTraffic = segments[index].traffic ?? traffic
      try Experiment.check(share: segmentTraffic, field: "\(field()).traffic")
      let layout = BucketLayout(weights: weights.map(\.tenThousandths), traffic: segmentTraffic.tenThousandths)
      try Experiment.checkTraffic(
        layout, variants: variants, weights: weights, traffic: segmentTraffic,
        field: segments[index].traffic != nil ? "\(field()).traffic" : "traffic")
      layouts.append(layout)
    }

    // In order of first appearance: consent, eligibility, each segment's rule, the centroids' features (one list
    // made for all of them held every segment's names, a copy each).
    var names: [String] = []
    func add(_ attribute: String) {
      if !names.contains(attribute) { names.append(attribute) }
    }
    if let consent { add(consent) }
    for attribute in eligibility?.attributes ?? [] { add(attribute) }
    for index in segments.indices {
      for attribute in segments[index].rule?.attributes ?? [] { add(attribute) }
    }
    for feature in segmentation?.features ?? [] { add(feature.name) }
    let slot: (String) -> Int = { name in names.firstIndex(of: name) ?? 0 }

    self.id = id
    self.name = name ?? id
    self.hypothesis = hypothesis
    self.unit = unit
    self.salt = salt
    self.variants = variants
    self.controlIndex = controlIndex
    self.traffic = traffic
    self.layer = layer
    self.holdout = holdout
    self.eligibility = eligibility
    self.consent = consent
    self.segments = segments
    self.segmentation = segmentation
    self.attributeNames = names
    var pairs: [(String, AttributeReading)] = consent.map { [($0, .bool)] } ?? []
    eligibility?.expression.readings(into: &pairs)
    for index in segments.indices { segments[index].rule?.expression.readings(into: &pairs) }
    for feature in segmentation?.features ?? [] {
      if case .numeric = feature {
        pairs.append((feature.name, .number))
      } else {
        pairs.append((feature.name, .string))
      }
    }
    // One reading when every pair of the name reads it the same way, else (none, or several) mixed; folded over the
    // pairs instead of a filtered copy of them and a set per name.
    self.attributeReadings = names.map { name in
      var reading: AttributeReading?
      for pair in pairs where pair.0 == name {
        guard let found = reading else {
          reading = pair.1
          continue
        }
        if found != pair.1 { return .mixed }
      }
      return reading ?? .mixed
    }
    self.engine = AssignmentEngine(
      attributeCount: names.count,
      consentSlot: consent.map(slot),
      eligibility: eligibility?.expression,
      segments: segments.map { $0.rule?.expression },
      segmentNames: segments.map(\.name),
      layouts: layouts,
      variantKeys: variants.map(\.key),
      saltPrefix: Array((salt + ":").utf8),
      layer: layer.map { (Array(($0.salt + ":").utf8), $0.buckets) },
      holdout: holdout.map { (Array(($0.salt + ":").utf8), $0.share.tenThousandths) },
      nearest: segmentation.map { rule in
        NearestCentroidTable(
          rule: rule, slots: rule.features.map { slot($0.name) }, centroids: segments.map { $0.centroid ?? [] })
      }, slots: slot)
  }

  /// Throws unless `identifier` is non-empty and uses only letters, digits, "_" (and, with `allowDash`, "-"
  /// and "."); shared with the definitions module's metric names.
  package static func check(identifier: String, field: @autoclosure () -> String, allowDash: Bool)
    throws(DefinitionError)
  {
    let valid =
      !identifier.isEmpty
      && identifier.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
          || (allowDash && (byte == 0x2D || byte == 0x2E))
      }
    guard valid else {
      let allowed = allowDash ? "letters, digits, \"_\", \"-\" and \".\"" : "letters, digits and \"_\""
      throw DefinitionError(field: field(), message: "\"\(identifier)\" must be non-empty and use only \(allowed)")
    }
  }

  private static func check(share: ExactDecimal, field: @autoclosure () -> String) throws(DefinitionError) {
    guard share.tenThousandths <= 10_000 else {
      throw DefinitionError(field: field(), message: "must be between 0 and 1, got \(share)")
    }
  }

  /// The first variant with a positive weight that owns none of the 10,000 buckets of its segment's layout, as an
  /// error naming the field; nil when every weighted variant has buckets.
  ///
  /// Assignment by hash (`assign` without `--stratified`, `serve`) never picks such a variant: more than 10,000
  /// weighted variants, or a weight below one ten-thousandth of its layout's total, left it without units while the
  /// others had theirs. Stratified assignment deals exact blocks by the weights' ratios and does give it units, so
  /// the definition stays valid and published stratified assignments stay reproducible: the online paths refuse it
  /// (`ExperimentDefinition.onlineAssignmentProblem`), `strata validate` notes it. A weight of 0 (a variant left out on
  /// purpose) is not a problem.
  public func variantWithoutBuckets() -> DefinitionError? {
    let weighted = variants.filter { $0.weight.tenThousandths > 0 }.count
    if weighted > BucketLayout.bucketCount {
      return DefinitionError(
        field: "variants",
        message:
          "\(Experiment.grouped(weighted)) variants with a positive weight cannot each get one of the 10,000 buckets, "
          + "so assignment by hash would never choose some of them; use at most 10,000 (stratified assignment deals "
          + "them all)")
    }
    // Every definition is loaded through here (20,000 segments for `analyze` too): by index, no segment copied, and
    // the weights looked at only in a layout where some variant has no bucket (a weight of 0 has none either).
    var checkedShared = false
    for index in segments.indices {
      let shared = segments[index].weights.isEmpty && segments[index].traffic == nil
      if shared && checkedShared { continue }
      checkedShared = checkedShared || shared
      let layout = layouts[index]
      guard variants.indices.contains(where: { layout.width(of: $0) == 0 }) else { continue }
      let segmentWeights = segments[index].weights
      let weights = variants.map { segmentWeights[$0.key] ?? $0.weight }
      let total = ExactDecimal(tenThousandths: weights.reduce(0) { $0 + $1.tenThousandths })
      for variant in weights.indices where weights[variant].tenThousandths > 0 && layout.width(of: variant) == 0 {
        let field =
          segmentWeights[variants[variant].key] != nil
          ? "segments[\(index)].weights.\(variants[variant].key)"
          : shared ? "variants[\(variant)].weight" : "segments[\(index)].weights"
        return DefinitionError(
          field: field,
          message:
            "\(weights[variant]) of a total weight of \(total) gives variant \"\(variants[variant].key)\" none of the "
            + "10,000 buckets (less than one in 10,000, rounded down), so assignment by hash would never choose it; "
            + "raise its weight, or make it 0 to leave the variant out (stratified assignment deals it by weight)")
      }
    }
    return nil
  }

  /// `n` with a comma between thousands (10,001), as the messages write 10,000.
  static func grouped(_ n: Int) -> String {
    var digits = String(n)
    var index = digits.endIndex
    while digits.distance(from: digits.startIndex, to: index) > 3 {
      index = digits.index(index, offsetBy: -3)
      digits.insert(",", at: index)
    }
    return digits
  }

  /// Throws when a positive traffic leaves a weighted variant none of its buckets active (⌊width · t⌋ = 0).
  ///
  /// Neither assignment by hash nor stratified assignment (which deals only the units the traffic lets in) gave it
  /// units. A traffic of 0 (assignment stopped) stays allowed.
  private static func checkTraffic(
    _ layout: BucketLayout, variants: [Variant], weights: [ExactDecimal], traffic: ExactDecimal,
    field: @autoclosure () -> String = "traffic"
  ) throws(DefinitionError) {
    let weighted = weights.indices.filter { weights[$0].tenThousandths > 0 && layout.width(of: $0) > 0 }
    guard traffic.tenThousandths > 0,
      let starved = weighted.first(where: { layout.activeEnds[$0] == layout.starts[$0] })
    else { return }
    let count = BucketLayout.bucketCount
    let narrowest = weighted.map(layout.width(of:)).min() ?? 1
    let needed = ExactDecimal(tenThousandths: (count + narrowest - 1) / narrowest)
    throw DefinitionError(
      field: field(),
      message:
        "\(traffic) leaves variant \"\(variants[starved].key)\" none of its \(layout.width(of: starved)) buckets "
        + "(rounded down), so assignment would give it no units; use a traffic of at least \(needed), or 0 to stop "
        + "assignment")
  }

  private static func checkWeights(_ weights: [ExactDecimal], field: @autoclosure () -> String)
    throws(DefinitionError)
  {
    guard weights.contains(where: { $0.tenThousandths > 0 }) else {
      throw DefinitionError(field: field(), message: "at least one variant needs a positive weight")
    }
  }
}
