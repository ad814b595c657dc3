import StrataStats
import StrataTestSupport
import Testing

struct PostStratificationCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Segment: Decodable, Sendable { var control, treatment: [Double] }
  var name: String
  var segments: [Segment]
  var weights: [Double]
  var estimate, standard_error: Double
  var testDescription: String { name }

  func strata() throws -> [PostStratification.Stratum] {
    try segments.map { segment in
      let control = try DeltaMetric.mean.estimate(MomentMatrix(rows: segment.control.map { [$0] }))
      let treatment = try DeltaMetric.mean.estimate(MomentMatrix(rows: segment.treatment.map { [$0] }))
      return PostStratification.Stratum(
        units: Double(segment.control.count + segment.treatment.count), control: control, treatment: treatment)
    }
  }
}

@Suite("Post-stratification (Miratrix, Sekhon & Yu 2013)")
struct PostStratificationTests {
  /// An independent numpy implementation from the raw values; means of 1e9: the estimate to a few units of
  /// their rounding (1.2e-7), the standard error to 1e-9.
  @Test(arguments: try Fixture<PostStratificationCase>.load("post_stratification", from: .module))
  func matchesIndependentImplementation(_ c: PostStratificationCase) throws {
    let strata = try c.strata()
    let r = try PostStratification(strata: strata).result()
    let units = 4 * strata[0].control.estimate.magnitude.ulp
    #expect(isClose(r.estimate, c.estimate, relativeTolerance: 1e-9, absoluteTolerance: units))
    #expect(isClose(r.standardError, c.standard_error, relativeTolerance: 1e-9))
    for (w, expected) in zip(r.weights, c.weights) { #expect(isClose(w, expected, relativeTolerance: 1e-12)) }
    #expect(r.interval.contains(r.estimate))
  }

  @Test("One segment reduces to the plain difference with the unpooled variance")
  func oneSegment() throws {
    let control = try DeltaMetric.mean.estimate(MomentMatrix(rows: [[1], [2], [4], [7]]))
    let treatment = try DeltaMetric.mean.estimate(MomentMatrix(rows: [[2], [5], [6]]))
    let r = try PostStratification(strata: [.init(units: 7, control: control, treatment: treatment)]).result()
    #expect(isClose(r.estimate, treatment.estimate - control.estimate, relativeTolerance: 1e-15))
    #expect(isClose(r.standardError, (control.variance + treatment.variance).squareRoot(), relativeTolerance: 1e-15))
  }

  @Test("Equal effects in every segment: post-stratified and inverse-variance pooled estimates agree")
  func equalEffects() throws {
    var strata: [PostStratification.Stratum] = []
    for (size, variance) in [(100.0, 0.5), (40, 2.0), (300, 0.1)] {
      let control = ArmEstimate(
        count: size / 2, estimate: 10, variance: variance, unadjustedEstimate: 10, unadjustedVariance: variance)
      let treatment = ArmEstimate(
        count: size / 2, estimate: 11.5, variance: variance, unadjustedEstimate: 11.5, unadjustedVariance: variance)
      strata.append(.init(units: size, control: control, treatment: treatment))
    }
    let ps = try PostStratification(strata: strata).result()
    let iv = try InverseVariancePooling(
      estimates: strata.map { $0.treatment.estimate - $0.control.estimate },
      variances: strata.map { $0.treatment.variance + $0.control.variance }
    ).result()
    #expect(isClose(ps.estimate, iv.estimate, relativeTolerance: 1e-14))
    // Precision weights are optimal: the pooled standard error is never larger.
    #expect(iv.standardError <= ps.standardError)
  }
}
