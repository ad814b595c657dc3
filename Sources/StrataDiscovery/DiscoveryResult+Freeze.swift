import StrataAssignment
import StrataDefinitions

extension DiscoveryResult {
  /// The nearest-centroid rule of the chosen segments: every numeric feature with its centre and scale, then every
  /// categorical feature with the weight γ.
  public var rule: NearestCentroid {
    NearestCentroid(
      features: scales.map { .numeric(name: $0.name, center: $0.center, scale: $0.scale) }
        + categoricalNames.map { .categorical(name: $0, weight: gamma ?? 0) })
  }

  /// The chosen segments frozen as an experiment definition (docs/assignment-spec.md §5a): `template`'s id,
  /// variants, metrics and plan (its own segments are replaced), or a two-arm definition named `id`.
  public func definition(template: ExperimentDefinition?, id: String, unit: String) throws(DefinitionError)
    -> ExperimentDefinition
  {
    guard let template else {
      return try ExperimentDefinition(experiment: try experiment(template: nil, id: id, unit: unit))
    }
    return try ExperimentDefinition(
      experiment: try experiment(template: template.experiment, id: id, unit: unit), metrics: template.metrics,
      plan: template.plan)
  }

  /// The assignment part of ``definition(template:id:unit:)``.
  public func experiment(template: Experiment?, id: String, unit: String) throws(DefinitionError) -> Experiment {
    let segments = self.segments.map { segment in
      // A level no member had (all missing) matches nothing: the empty text never equals a present level.
      Segment(
        name: segment.name,
        centroid: segment.centroid.map { .number($0) } + segment.levels.map { .level($0 ?? "") })
    }
    guard let template else {
      return try Experiment(
        id: id, name: "Discovered segments", unit: unit,
        variants: [Variant(key: "control"), Variant(key: "treatment")],
        segments: segments, segmentation: rule)
    }
    return try Experiment(
      id: template.id, name: template.name, hypothesis: template.hypothesis, unit: template.unit, salt: template.salt,
      variants: template.variants, control: template.control.key, traffic: template.traffic, layer: template.layer,
      holdout: template.holdout, eligibility: template.eligibility, consent: template.consent, segments: segments,
      segmentation: rule)
  }
}
