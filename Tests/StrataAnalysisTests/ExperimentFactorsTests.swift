import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions
import StrataStats
import StrataTestSupport
import Testing

@Suite("Factorial experiment definitions (factors instead of variants)")
struct ExperimentFactorsTests {
  static let full = """
    id: email
    factors:
      subject: [short, question]
      image: [photo, none]
      cta: [buy, learn]
    """

  @Test("the cells become variants in run order, with their factor levels")
  func cellsAreVariants() throws {
    let definition = try ExperimentLoader.loadDefinition(yaml: Self.full, file: "email.yaml")
    let design = try #require(definition.factorialDesign)
    let experiment = definition.experiment
    #expect(!design.isFractional && design.runs.count == 8)
    #expect(
      experiment.variants.map(\.key) == [
        "short.photo.buy", "question.photo.buy", "short.none.buy", "question.none.buy", "short.photo.learn",
        "question.photo.learn", "short.none.learn", "question.none.learn",
      ])
    for (run, variant) in experiment.variants.enumerated() {
      #expect(variant.description == design.cellName(ofRun: run))
      #expect(
        variant.factorLevels == [
          "subject": design.levelLabels(ofRun: run)[0], "image": design.levelLabels(ofRun: run)[1],
          "cta": design.levelLabels(ofRun: run)[2],
        ])
      #expect(variant.weight == 1)
    }
    #expect(experiment.control.key == "short.photo.buy")  // the first level of every factor
    #expect(try ExperimentLoader.load(yaml: Self.full, file: "email.yaml") == experiment)
  }

  @Test("control: picks another cell; a fraction's default control is its all-first-levels cell when it has one")
  func control() throws {
    let chosen = try ExperimentLoader.load(yaml: Self.full + "\ncontrol: question.none.learn\n", file: "e.yaml")
    #expect(chosen.control.key == "question.none.learn")
    // D = AB: the all-first-levels cell (−,−,−,−) is not in the fraction ((−)(−) = +), so the first run is.
    let fraction = try ExperimentLoader.loadDefinition(
      yaml: "id: f\nfactors:\n  a: [lo, hi]\n  b: [lo, hi]\n  c: [lo, hi]\n  d: [lo, hi]\ngenerators: D=AB\n",
      file: "f.yaml")
    #expect(fraction.factorialDesign?.runs.count == 8 && fraction.factorialDesign?.isFractional == true)
    #expect(fraction.experiment.control.key == "lo.lo.lo.hi")
    // D = ABC keeps (−,−,−,−): the default control is that cell.
    let half = try ExperimentLoader.loadDefinition(
      yaml: "id: f\nfactors:\n  a: [lo, hi]\n  b: [lo, hi]\n  c: [lo, hi]\n  d: [lo, hi]\nfraction: 1/2\n",
      file: "f.yaml")
    #expect(half.factorialDesign?.generators.map(\.letters) == ["D=ABC"])
    #expect(half.experiment.control.key == "lo.lo.lo.lo")
    // generators as a list, segment weights by cell key
    let listed = try ExperimentLoader.loadDefinition(
      yaml: """
        id: f
        factors: {a: [x, y], b: [x, y], c: [x, y], d: [x, y], e: [x, y]}
        generators: [D=AB, E=AC]
        segments:
          - name: all
            weights: {x.x.x.y.y: 2}
        """, file: "f.yaml")
    #expect(listed.factorialDesign?.runs.count == 8)
    #expect(listed.experiment.variants.first?.key == "x.x.x.y.y")
  }

  @Test(
    "broken factorial definitions are rejected with file:line: field: message",
    arguments: [
      ("id: d\nvariants: [a, b]\nfactors:\n  s: [x, y]\n  t: [x, y]\n", 2, "variants", "not both"),
      ("id: d\nfactors:\n  s: [x, y]\n", 3, "factors", "at least 2 factors"),
      ("id: d\nfactors: [s, t]\n", 2, "factors", "factor names mapped"),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x]\n", 4, "factors.t", "at least 2 levels"),
      ("id: d\nfactors:\n  s: [x, x]\n  t: [x, y]\n", 3, "factors.s", "repeated level"),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x, \"a.b\"]\n", 4, "factors.t[1]", "level label \"a.b\""),
      ("id: d\nfactors:\n  \"s t\": [x, y]\n  t: [x, y]\n", 3, "factors.s t", "factor name"),
      (
        "id: d\nfactors:\n  s: [x, y]\n  s: [x, y]\n", 4, "factors.s",
        "duplicate key 's' at column 3 (already at line 3)"
      ),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x, y]\nfraction: 1/3\n", 5, "fraction", "1/2, 1/4"),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x, y]\n  u: [x, y]\nfraction: 1/4\n", 6, "fraction", "runs"),
      ("id: d\nfactors:\n  s: [x, y, z]\n  t: [x, y]\n  u: [x, y]\nfraction: 1/2\n", 6, "fraction", "2 levels"),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x, y]\n  u: [x, y]\ngenerators: C=AZ\n", 6, "generators", "Z"),
      (
        "id: d\nfactors:\n  s: [x, y]\n  t: [x, y]\n  u: [x, y]\nfraction: 1/2\ngenerators: C=AB\n", 7, "generators",
        "not both"
      ),
      ("id: d\nvariants: [a, b]\nfraction: 1/2\n", 3, "fraction", "needs factors"),
      ("id: d\nfactors:\n  s: [x, y]\n  t: [x, y]\ncontrol: x.z\n", 5, "control", "not one of the variants"),
    ])
  func rejects(yaml: String, line: Int, field: String, fragment: String) {
    #expect {
      _ = try ExperimentLoader.load(yaml: yaml, file: "bad.yaml")
    } throws: { error in
      guard let error = error as? ExperimentFileError else { return false }
      let ok = error.line == line && error.field == field && error.message.contains(fragment)
      if !ok { Issue.record("got \(error)") }
      return ok
    }
  }

  @Test("assignment spreads units evenly over the cells, and so over every factor's levels")
  func balanced() throws {
    let experiment = try ExperimentLoader.load(yaml: Self.full, file: "email.yaml")
    var counts = [String: Int]()
    var levelCounts = [String: Int]()
    let units = 40_000
    for unit in 0..<units {
      let result = experiment.assign(unit: "u\(unit)", attributes: [:])
      let key = try #require(result.variant)
      counts[key, default: 0] += 1
      let cell = try #require(experiment.variants.first { $0.key == key })
      for (factor, level) in cell.factorLevels { levelCounts["\(factor)=\(level)", default: 0] += 1 }
    }
    #expect(counts.count == 8)
    // 5,000 expected per cell, sd √(40000·⅛·⅞) ≈ 66: 5 sd is 330.
    for (cell, count) in counts { #expect(abs(count - 5_000) < 330, "\(cell): \(count)") }
    #expect(levelCounts.count == 6)
    // 20,000 per level, sd 100.
    for (level, count) in levelCounts { #expect(abs(count - 20_000) < 500, "\(level): \(count)") }
  }
}

@Suite("Factorial definitions: properties")
struct ExperimentFactorsPropertyTests {
  /// Random full factorials (2–4 factors, 2–4 levels): one variant per cell, unique keys that spell the
  /// levels, every cell's levels recorded, and each level of each factor in the same number of cells.
  @Test func cellsCoverTheGridExactlyOnce() throws {
    var random = SplitMix64(seed: 2026)
    for trial in 0..<40 {
      let factorCount = 2 + Int(random.next() % 3)
      let levelCounts = (0..<factorCount).map { _ in 2 + Int(random.next() % 3) }
      var yaml = "id: p\(trial)\nfactors:\n"
      for (factor, count) in levelCounts.enumerated() {
        yaml += "  f\(factor): [\((0..<count).map { "l\($0)" }.joined(separator: ", "))]\n"
      }
      let definition = try ExperimentLoader.loadDefinition(yaml: yaml, file: "p.yaml")
      let variants = definition.experiment.variants
      #expect(variants.count == levelCounts.reduce(1, *), "trial \(trial)")
      #expect(Set(variants.map(\.key)).count == variants.count)
      for variant in variants {
        let levels = (0..<factorCount).map { variant.factorLevels["f\($0)"] ?? "?" }
        #expect(variant.key == levels.joined(separator: "."))
      }
      for (factor, count) in levelCounts.enumerated() {
        for level in 0..<count {
          #expect(variants.filter { $0.factorLevels["f\(factor)"] == "l\(level)" }.count == variants.count / count)
        }
      }
      #expect(definition.experiment.control.factorLevels.values.allSatisfy { $0 == "l0" })
    }
  }
}
