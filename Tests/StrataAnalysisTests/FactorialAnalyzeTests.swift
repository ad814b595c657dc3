import Foundation
import StrataAnalysis
import StrataStats
import StrataTestSupport
import Testing

/// One statsmodels fit of the bundled factorial example (Scripts/fixtures/factorial_analyze.py).
struct FactorialAnalyzeCase: Decodable, CustomTestStringConvertible {
  struct Term: Decodable { var term: String; var df: Int; var statistic: Double; var p_value: Double }
  struct Coefficient: Decodable {
    var label: String; var estimate: Double; var standard_error: Double; var p_value: Double
  }
  struct Estimate: Decodable {
    var factor: String; var level: String; var estimate: Double; var standard_error: Double; var p_value: Double
    var ci_low: Double; var ci_high: Double
  }
  var metric: String
  var covariance: String
  var segment: String?
  var units: Int
  var anova: [Term]
  var coefficients: [Coefficient]
  var marginal_means: [Estimate]
  var level_differences: [Estimate]
  var testDescription: String { "\(metric) (\(covariance)) in \(segment ?? "all segments")" }
}

@Suite("Factorial analysis of an experiment (strata analyze)")
struct FactorialAnalyzeTests {
  static let root: URL = {
    var root = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
      root.deleteLastPathComponent()
    }
    return root
  }()

  /// The bundled example, read and analysed once (24,000 rows), with the default errors (HC1) and with
  /// classical errors for continuous metrics.
  static let analyses: Result<(hc1: Analysis, classical: Analysis), any Error> = Result {
    let definition = try ExperimentLoader.loadDefinition(
      contentsOf: root.appendingPathComponent("experiments/email-factorial.yaml"))
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = definition.factorialDesign
    let summary = try DataReader.read(
      path: root.appendingPathComponent("experiments/data/email-factorial.csv").path, plan: plan,
      options: DataReadOptions())
    var classical = plan
    classical.factorialContinuousErrors = .classical
    return (try Analyzer(plan: plan).analyze(summary), try Analyzer(plan: classical).analyze(summary))
  }
  static var analysis: Result<Analysis, any Error> { analyses.map(\.hc1) }

  // Sufficient statistics (Welford per cell) against statsmodels on the 24,000 unit rows: agreement to
  // ~1e-9 relative; p-values near 1e-9 pass through the t tail, so they get 1e-7.
  @Test(arguments: try Fixture<FactorialAnalyzeCase>.load("factorial_analyze", from: .module))
  func matchesStatsmodels(_ reference: FactorialAnalyzeCase) throws {
    let analyses = try Self.analyses.get()
    let analysis = reference.covariance == "classical" ? analyses.classical : analyses.hc1
    let factorial = try #require(analysis.factorial)
    let metric = try #require(factorial.metrics.first { $0.metric.name == reference.metric })
    let fit = try #require(metric.fits.first { $0.segment == reference.segment })
    let result = try #require(fit.result)
    let design = factorial.design
    #expect(result.unitCount == Double(reference.units))
    #expect(result.covariance.rawValue == reference.covariance && result.anovaType == .typeIII)
    #expect(result.anova.map(\.name) == reference.anova.map(\.term))
    for (row, expected) in zip(result.anova, reference.anova) {
      #expect(row.degreesOfFreedom == expected.df)
      #expect(isClose(row.test.statistic, expected.statistic, relativeTolerance: 1e-8), "\(row.name) F")
      #expect(isClose(row.test.pValue, expected.p_value, relativeTolerance: 1e-7), "\(row.name) p")
    }
    #expect(result.coefficients.map(\.label) == reference.coefficients.map(\.label))
    for (coefficient, expected) in zip(result.coefficients, reference.coefficients) {
      #expect(isClose(coefficient.estimate, expected.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-14))
      #expect(isClose(coefficient.standardError, expected.standard_error, relativeTolerance: 1e-8))
    }
    let means = result.marginalMeans.joined().map { m in
      (design.factors[m.factor].name, design.factors[m.factor].levels[m.level], m)
    }
    #expect(means.count == reference.marginal_means.count)
    for (name, level, mean) in means {
      let expected = try #require(reference.marginal_means.first { $0.factor == name && $0.level == level })
      #expect(isClose(mean.estimate, expected.estimate, relativeTolerance: 1e-9))
      #expect(isClose(mean.standardError, expected.standard_error, relativeTolerance: 1e-8))
      #expect(isClose(mean.interval.lower, expected.ci_low, relativeTolerance: 1e-8))
      #expect(isClose(mean.interval.upper, expected.ci_high, relativeTolerance: 1e-8))
    }
    let differences = fit.levelDifferences.joined().map { d in
      (design.factors[d.factor].name, design.factors[d.factor].levels[d.level], d)
    }
    #expect(differences.count == reference.level_differences.count)
    for (name, level, difference) in differences {
      let expected = try #require(reference.level_differences.first { $0.factor == name && $0.level == level })
      #expect(isClose(difference.difference, expected.estimate, relativeTolerance: 1e-9, absoluteTolerance: 1e-14))
      #expect(isClose(difference.standardError, expected.standard_error, relativeTolerance: 1e-8))
      #expect(isClose(difference.test.pValue, expected.p_value, relativeTolerance: 1e-7))
    }
  }

  @Test func theExampleFindsThePlantedEffects() throws {
    let factorial = try #require(try Self.analysis.get().factorial)
    #expect(factorial.aliasingCaveats.isEmpty)  // a full factorial
    let clicked = try #require(factorial.metrics.first { $0.metric.name == "clicked" }?.overall?.result)
    let p = Dictionary(uniqueKeysWithValues: clicked.anova.map { ($0.name, $0.test.pValue) })
    // Planted: a subject main effect and an image × cta interaction; nothing involving subject × others.
    #expect(try #require(p["subject"]) < 1e-6)
    #expect(try #require(p["image:cta"]) < 0.05)
    #expect(try #require(p["subject:image"]) > 0.05 && (try #require(p["subject:cta"])) > 0.05)
    let overall = try #require(factorial.metrics.first?.overall)
    #expect(overall.plottedFactors == [1, 2])  // the image × cta pair has the largest interaction F
    #expect(overall.twoWayMeans.count == 2 && overall.twoWayMeans.allSatisfy { $0.count == 2 })
    let best = clicked.bestCell
    #expect(best.levels == [1, 1, 1])  // question × none × learn
    // The findings in words are the report layer's (FactorialDecisionTextTests).
    #expect(best.simultaneousInterval.lower < best.fitted && best.fitted < best.simultaneousInterval.upper)
  }

  @Test func aFractionCarriesTheAliasingCaveat() throws {
    let yaml = """
      id: frac
      factors:
        subject: [short, question]
        image: [photo, none]
        cta: [buy, learn]
        tone: [formal, casual]
      fraction: 1/2
      metrics:
        - name: clicked
          kind: binomial
      """
    let definition = try ExperimentLoader.loadDefinition(yaml: yaml, file: "frac.yaml")
    let design = try #require(definition.factorialDesign)
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = design
    var rows = "unit_id,variant,clicked\n"
    var random = SplitMix64(seed: 6)
    for unit in 0..<4000 {
      let cell = Int(random.next() % UInt64(design.runs.count))
      let rate = 0.05 + (design.runs[cell][0] == 1 ? 0.03 : 0)
      let clicked = Double(random.next() >> 11) / Double(1 << 53) < rate ? 1 : 0
      rows += "u\(unit),\(plan.variants[cell]),\(clicked)\n"
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-frac-\(UUID()).csv")
    try rows.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let analysis = try Analyzer(plan: plan).analyze(
      DataReader.read(path: file.path, plan: plan, options: DataReadOptions()))
    let factorial = try #require(analysis.factorial)
    #expect(factorial.aliasingCaveats.count == 4)  // the design sentence + AB=CD, AC=BD, AD=BC
    #expect(factorial.aliasingCaveats.contains { $0.contains("subject:image is aliased with cta:tone") })
    let result = try #require(factorial.metrics[0].overall?.result)
    #expect(
      result.anova.map(\.name) == ["subject", "image", "cta", "tone", "subject:image", "subject:cta", "subject:tone"])
  }
}

@Suite("Factorial analysis: degenerate data")
struct FactorialAnalyzeDegenerateTests {
  static func analyse(_ csv: String) throws -> FactorialAnalysis {
    let definition = try ExperimentLoader.loadDefinition(
      yaml: """
        id: tiny
        factors: {a: [lo, hi], b: [lo, hi]}
        segments:
          - name: vip
            rule: vip == true
          - name: rest
        metrics:
          - name: clicked
            kind: binomial
          - name: spend
            kind: continuous
            missing: zero
        """, file: "tiny.yaml")
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = definition.factorialDesign
    let directory = try makeTemporaryDirectory("strata-tiny")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("tiny.csv")
    try csv.write(to: file, atomically: true, encoding: .utf8)
    let analysis = try Analyzer(plan: plan).analyze(
      DataReader.read(path: file.path, plan: plan, options: DataReadOptions()))
    return try #require(analysis.factorial)
  }

  @Test func aSegmentWithAnEmptyCellIsReportedNotFitted() throws {
    var rows = ["unit_id,variant,segment,clicked,spend"]
    var random = SplitMix64(seed: 11)
    let cells = ["lo.lo", "hi.lo", "lo.hi", "hi.hi"]
    for unit in 0..<400 {
      let cell = cells[Int(random.next() % 4)]
      // vip has no units in hi.hi
      let segment = cell == "hi.hi" || unit % 2 == 0 ? "rest" : "vip"
      rows.append("u\(unit),\(cell),\(segment),\(random.next() % 5 == 0 ? 1 : 0),\(Double(random.next() % 100))")
    }
    let factorial = try Self.analyse(rows.joined(separator: "\n") + "\n")
    let clicked = factorial.metrics[0]
    #expect(clicked.fits.map(\.segment) == ["vip", "rest", nil])
    let vip = try #require(clicked.fits.first)
    #expect(vip.result == nil && vip.notes.first?.contains("hi.hi") == true)
    #expect(clicked.fits[1].result != nil && clicked.overall?.result != nil)
  }

  @Test func aMetricWithoutVariationGivesANoteNotACrash() throws {
    var rows = ["unit_id,variant,segment,clicked,spend"]
    for unit in 0..<80 {
      rows.append("u\(unit),\(["lo.lo", "hi.lo", "lo.hi", "hi.hi"][unit % 4]),rest,0,5")
    }
    let factorial = try Self.analyse(rows.joined(separator: "\n") + "\n")
    for metric in factorial.metrics {
      let overall = try #require(metric.overall)
      // No model, with the reason: never a placeholder result with zero standard errors.
      #expect(overall.result == nil)
      #expect(overall.notes.first?.contains("no residual variation") == true, "\(overall.notes)")
    }
  }
}
