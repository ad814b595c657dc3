import Foundation
import StrataStats
import StrataTestSupport
import Testing

@testable import StrataAnalysis

/// Thousands of segments: every per-segment result is there, and each segment-vs-rest contrast (whose rest is
/// merged in linear time beyond `RestArms.directLimit` segments) agrees with a straightforward two-pass
/// computation over the raw values of the other segments.
@Suite("Analysis with thousands of segments")
struct ManySegmentsTests {
  static let segments = (1...2_000).map { "s\($0)" }
  static let variants = ["control", "v1", "v2"]

  /// Raw values per metric (0 converted, 1 revenue) × variant × segment, and the CSV holding them.
  ///
  /// Segment s7 has no control units at all; every fifth revenue is missing.
  static func data() -> (values: [[[[Double]]]], csv: String) {
    var random = SplitMix64(seed: 17)
    var values = [[[[Double]]]](
      repeating: [[[Double]]](repeating: [[Double]](repeating: [], count: segments.count), count: variants.count),
      count: 2)
    var csv = "unit_id,variant,segment,converted,revenue\n"
    var unit = 0
    for (s, segment) in segments.enumerated() {
      for (v, variant) in variants.enumerated() where !(segment == "s7" && v == 0) {
        for _ in 0..<(3 + Int(random.next() % 8)) {
          let converted = random.next() % 100 < 10 + UInt64(s % 5) * 5 + UInt64(v) ? 1.0 : 0.0
          let revenue = Double(random.next() % 10_000) / 100 + 20 * converted
          let missing = unit % 5 == 0
          values[0][v][s].append(converted)
          if !missing { values[1][v][s].append(revenue) }
          csv += "u\(unit),\(variant),\(segment),\(Int(converted)),\(missing ? "" : String(revenue))\n"
          unit += 1
        }
      }
    }
    return (values, csv)
  }

  static func analysis(_ csv: String) throws -> Analysis {
    let plan = AnalysisPlan(
      id: "many", variants: variants, segments: segments,
      metrics: [
        AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
        AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
      ])
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-many-\(UUID().uuidString).csv")
    try csv.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    return try Analyzer(plan: plan).analyze(DataReader.read(path: url.path, plan: plan))
  }

  /// Count, sum and sum of squares of some values.
  struct Sums {
    var n = 0.0
    var sum = 0.0
    var squares = 0.0

    init(_ xs: [Double] = []) {
      for x in xs { n += 1; sum += x; squares += x * x }
    }

    static func - (all: Sums, part: Sums) -> Sums {
      var rest = Sums()
      rest.n = all.n - part.n
      rest.sum = all.sum - part.sum
      rest.squares = all.squares - part.squares
      return rest
    }

    var mean: Double { sum / n }
    var variance: Double { n > 1 ? (squares - sum * sum / n) / (n - 1) : 0 }
  }

  /// A segment's comparisons (and the overall ones) hold one control arm between them, and it is the segment's
  /// control values' own count and mean.
  @Test func aSegmentsComparisonsShareOneControlArm() throws {
    let (values, csv) = Self.data()
    let analysis = try Self.analysis(csv)
    for (m, metric) in analysis.metrics.enumerated() {
      let bySegment = Dictionary(grouping: metric.comparisons) { $0.segment ?? "" }
      #expect(bySegment.count == Self.segments.count + 1)
      for (segment, comparisons) in bySegment {
        #expect(comparisons.count == Self.variants.count - 1)
        let first = try #require(comparisons.first)
        #expect(comparisons.allSatisfy { $0.sharedControl === first.sharedControl }, "\(segment)")
        let raw: [Double]
        if segment.isEmpty {
          raw = values[m][0].flatMap { $0 }
        } else {
          raw = values[m][0][try #require(Self.segments.firstIndex(of: segment))]
        }
        #expect(first.control.variant == "control")
        #expect(first.control.count == Double(raw.count), "\(segment)")
        if !raw.isEmpty {
          #expect(isClose(first.control.mean, Sums(raw).mean, relativeTolerance: 1e-12), "\(segment)")
        }
      }
      // Different segments, different arms.
      let firsts = metric.comparisons.filter { $0.treatment == "v1" }.map(\.sharedControl)
      #expect(Set(firsts.map(ObjectIdentifier.init)).count == firsts.count)
    }
  }

  @Test func everySegmentVersusTheRestMatchesTheRawValues() throws {
    let (values, csv) = Self.data()
    let analysis = try Self.analysis(csv)
    for (m, metric) in analysis.metrics.enumerated() {
      #expect(metric.comparisons.count == (Self.segments.count + 1) * 2)
      #expect(metric.partialPooling.count == 2)
      // The τ-integrated intervals reach every segment count (they were capped at 12 segments before).
      for pooling in metric.partialPooling {
        #expect(pooling.segments.count > 1_000)
        #expect(pooling.segments.allSatisfy { $0.estimate.calibratedInterval?.contains($0.estimate.estimate) == true })
      }
      let contrasts = Dictionary(
        uniqueKeysWithValues: metric.segmentContrasts.map { ("\($0.treatment)/\($0.segment)", $0) })
      // The rest of a segment: every value of the arm minus the segment's own (values are cents up to 120, so
      // the sums lose nothing that matters at the tolerances below).
      let own = values[m].map { arm in arm.map { Sums($0) } }
      let all = values[m].map { arm in Sums(arm.flatMap { $0 }) }
      var expectedCount = 0
      for t in 1..<Self.variants.count {
        for s in Self.segments.indices {
          let arms = [own[0][s], own[t][s], all[0] - own[0][s], all[t] - own[t][s]]
          let key = "\(Self.variants[t])/\(Self.segments[s])"
          guard arms.allSatisfy({ $0.n >= 2 }) else {
            #expect(contrasts[key] == nil, "\(key) has an arm of fewer than 2 units")
            continue
          }
          expectedCount += 1
          let contrast = try #require(contrasts[key], "\(metric.metric.name) \(key)")
          let terms = arms.map { $0.variance / $0.n }
          let variance = terms.reduce(0, +)
          let df = variance * variance / zip(terms, arms).map { $0 * $0 / ($1.n - 1) }.reduce(0, +)
          let difference = (arms[1].mean - arms[0].mean) - (arms[3].mean - arms[2].mean)
          #expect(isClose(contrast.difference, difference, relativeTolerance: 1e-8, absoluteTolerance: 1e-11))
          #expect(isClose(contrast.standardError, variance.squareRoot(), relativeTolerance: 1e-8))
          #expect(isClose(contrast.degreesOfFreedom, df, relativeTolerance: 1e-8))
          let tail = try StudentT(degreesOfFreedom: df).survival(abs(difference / variance.squareRoot()))
          #expect(isClose(contrast.pValue, min(1, 2 * tail), relativeTolerance: 1e-6, absoluteTolerance: 1e-11))
        }
      }
      // The segment without control units is left out, and does not spoil the others' rest.
      #expect(metric.segmentContrasts.count == expectedCount)
      #expect(expectedCount >= 2 * (Self.segments.count - 1) - 20)
    }
  }

  @Test func runningMergesAgreeWithDirectMerges() throws {
    var random = SplitMix64(seed: 5)
    let arms = (0..<(RestArms.directLimit * 3)).map { index in
      ArmSummary(
        variant: "control", count: index == 11 ? 0 : Double(1 + random.next() % 40), missing: 0,
        mean: index == 11 ? .nan : 1e6 + Double(random.next() % 1_000) / 7,
        standardDeviation: Double(random.next() % 500) / 11)
    }
    let rests = RestArms.rests(arms)
    #expect(rests.count == arms.count)
    for index in arms.indices {
      let direct = try #require(RestArms.merge(arms.indices.filter { $0 != index }.map { arms[$0] }))
      let running = try #require(rests[index])
      #expect(running.count == direct.count)
      #expect(isClose(running.mean, direct.mean, relativeTolerance: 1e-12))
      #expect(isClose(running.standardDeviation, direct.standardDeviation, relativeTolerance: 1e-9))
    }
  }
}
