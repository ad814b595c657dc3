import Foundation
import StrataTestSupport
import Testing

/// Lin's regression adjustment from the experiment YAML (`covariates:`) to `strata analyze --json` and the
/// reports, checked against statsmodels on the seeded experiment of `Scripts/fixtures/analyze_lin.py`
/// (Tests/StrataAnalysisTests/Fixtures/lin_analyze/: definition, unit-level data, statsmodels' values).
@Suite("strata analyze: covariates: (Lin's regression, HC2/HC3) against statsmodels")
struct AnalyzeLinCLITests {
  static let directory = packageRootURL().appendingPathComponent("Tests/StrataAnalysisTests/Fixtures/lin_analyze")
  static let experiment = directory.appendingPathComponent("lin-renewal.yaml").path
  static let data = directory.appendingPathComponent("lin-renewal.csv").path

  static func reference() throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(
      with: Data(contentsOf: directory.appendingPathComponent("lin_analyze.json")))
    return try #require(object as? [String: Any])
  }

  static func analyze(_ extra: [String] = []) throws -> (run: StrataRun, json: [String: Any]) {
    let run = try runStrata(
      ["analyze", "--experiment", experiment, "--data", data, "--no-look-log", "--json"] + extra)
    #expect(run.status == 0, "\(run.stderr)")
    return (run, try run.json())
  }

  static func number(_ object: [String: Any]?, _ key: String) throws -> Double {
    try #require(object?[key] as? Double, "\(key)")
  }

  @Test func everySegmentAndTheOverallRowMatchStatsmodels() throws {
    let json = try Self.analyze().json
    let results = try #require(json["results"] as? [[String: Any]])
    let cases = try #require(try Self.reference()["cases"] as? [[String: Any]])
    #expect(cases.count == 12)  // 2 metrics × (2 segments + overall) × 2 treatments
    for expected in cases {
      let metric = try #require(expected["metric"] as? String), variant = try #require(expected["variant"] as? String)
      let segment = expected["segment"] as? String
      let label = "\(metric) \(segment ?? "overall") \(variant)"
      let found = try #require(
        results.first {
          $0["metric"] as? String == metric && $0["variant"] as? String == variant
            && $0["segment"] as? String == segment
        }, "\(label)")
      let errors = try #require(expected["errors"] as? String)
      #expect(found["test"] as? String == "lin-" + errors.lowercased(), "\(label)")
      #expect(found["n_control"] as? Double == (expected["n_control"] as? Int).map(Double.init), "\(label)")
      #expect(found["n_treatment"] as? Double == (expected["n_treatment"] as? Int).map(Double.init), "\(label)")
      let adjustment = try #require(found["adjustment"] as? [String: Any], "\(label)")
      #expect(adjustment["method"] as? String == found["test"] as? String)
      #expect(adjustment["theta"] is NSNull)
      let adjusted = adjustment["adjusted"] as? [String: Any]
      let reference = expected["adjusted"] as? [String: Any]
      for (key, statsmodels) in [
        ("lift_abs", "estimate"), ("se", "se"), ("ci_abs_low", "ci_low"), ("ci_abs_high", "ci_high"),
        ("p_value", "p_value"),
      ] {
        let value = try Self.number(adjusted, key), target = try Self.number(reference, statsmodels)
        #expect(isClose(value, target, relativeTolerance: 1e-9), "\(label) \(key): \(value) vs \(target)")
      }
      // The comparison's own keys are the adjusted ones.
      #expect(try Self.number(found, "lift_abs") == Self.number(adjusted, "lift_abs"))
      #expect(try Self.number(found, "p_value") == Self.number(adjusted, "p_value"))
      let unadjusted = adjustment["unadjusted"] as? [String: Any]
      let welch = expected["unadjusted"] as? [String: Any]
      for (key, statsmodels) in [
        ("lift_abs", "estimate"), ("statistic", "statistic"), ("df", "df"), ("p_value", "p_value"),
      ] {
        let value = try Self.number(unadjusted, key), target = try Self.number(welch, statsmodels)
        #expect(isClose(value, target, relativeTolerance: 1e-9), "\(label) unadjusted \(key): \(value) vs \(target)")
      }
      let reduction = try Self.number(adjustment, "variance_reduction")
      let expectedReduction =
        1 - pow(try Self.number(reference, "se"), 2)
        / pow(try Self.number(welch, "estimate") / Self.number(welch, "statistic"), 2)
      #expect(isClose(reduction, expectedReduction, relativeTolerance: 1e-8), "\(label) variance reduction")
    }
    let metrics = try #require((json["experiment"] as? [String: Any])?["metrics"] as? [[String: Any]])
    let covariates = try #require(metrics.first?["covariates"] as? [String: Any])
    #expect(covariates["columns"] as? [String] == ["visits_before", "spend_before"])
    #expect(covariates["errors"] as? String == "HC3" && covariates["missing"] as? String == "zero")
    #expect(metrics.first?["covariate"] is NSNull)
    // Post-stratified and pooled rows combine the segments' regression estimates.
    let strata = try #require(json["post_stratified"] as? [[String: Any]])
    #expect(
      strata.count == 4
        && strata.allSatisfy {
          $0["estimand"] as? String == "adjusted mean difference"
            || $0["estimand"] as? String == "adjusted risk difference"
        })
  }

  /// The multiple-testing family and a group-sequential look work on the adjusted estimates unchanged: Holm's
  /// adjustment of the adjusted p-values, and each look's z the adjusted difference over its standard error
  /// (statsmodels' for Lin; the CUPED and ratio example too, whose own values `AnalyzeRatioCovariateCLITests` checks).
  @Test(arguments: ["lin", "basket-bundle"])
  func familyAndSequentialLookUseTheAdjustedEstimates(_ example: String) throws {
    let source =
      example == "lin"
      ? Self.experiment : packageRootURL().appendingPathComponent("experiments/basket-bundle.yaml").path
    let data =
      example == "lin" ? Self.data : packageRootURL().appendingPathComponent("experiments/data/basket-bundle.csv").path
    let directory = try makeTemporaryDirectory("strata-lin-seq")
    defer { try? FileManager.default.removeItem(at: directory) }
    let definition = directory.appendingPathComponent("sequential.yaml")
    let text = try String(contentsOfFile: source, encoding: .utf8)
    #expect(text.contains("  sides: 2\n"))
    try text.replacingOccurrences(of: "  sides: 2\n", with: "  sides: 2\n  looks: 3\n  spending: obf\n")
      .write(to: definition, atomically: true, encoding: .utf8)
    let run = try runStrata([
      "analyze", "--experiment", definition.path, "--data", data, "--look-log",
      directory.appendingPathComponent("looks.jsonl").path, "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    let results = try #require(json["results"] as? [[String: Any]])
    let family = results.filter { $0["in_family"] as? Bool == true }
    #expect(!family.isEmpty && family.allSatisfy { $0["adjustment"] is [String: Any] })
    // Holm over the family's adjusted p-values.
    let ordered = family.sorted { ($0["p_value"] as? Double ?? 1) < ($1["p_value"] as? Double ?? 1) }
    var running = 0.0
    for (rank, row) in ordered.enumerated() {
      let p = try Self.number(row, "p_value")
      running = max(running, min(1, Double(ordered.count - rank) * p))
      #expect(isClose(try Self.number(row, "p_value_adjusted"), running, relativeTolerance: 1e-12))
    }
    let sequential = try #require((json["look"] as? [String: Any])?["sequential"] as? [String: Any])
    let looks = try #require(sequential["results"] as? [[String: Any]])
    #expect(looks.count == family.count)
    let cases = example == "lin" ? try #require(try Self.reference()["cases"] as? [[String: Any]]) : []
    for look in looks {
      let row = try #require(
        family.first {
          $0["metric"] as? String == look["metric"] as? String && $0["variant"] as? String == look["variant"] as? String
            && $0["segment"] as? String == look["segment"] as? String
        })
      let adjusted = (row["adjustment"] as? [String: Any])?["adjusted"] as? [String: Any]
      let z = try Self.number(look, "z")
      #expect(isClose(z, try Self.number(adjusted, "lift_abs") / Self.number(adjusted, "se"), relativeTolerance: 1e-12))
      if let reference = cases.first(where: {
        $0["metric"] as? String == look["metric"] as? String && $0["variant"] as? String == look["variant"] as? String
          && $0["segment"] as? String == look["segment"] as? String
      }) {
        let statsmodels = reference["adjusted"] as? [String: Any]
        #expect(
          isClose(z, try Self.number(statsmodels, "estimate") / Self.number(statsmodels, "se"), relativeTolerance: 1e-9)
        )
      }
    }
  }

  @Test func emptyValuesAreCountedInTheDataAccount() throws {
    let json = try Self.analyze().json
    let account = try #require((json["data"] as? [String: Any])?["missing_values"] as? [[String: Any]])
    let missing = try #require(try Self.reference()["missing"] as? [String: [String: Int]])
    let visits = try #require(account.first { $0["column"] as? String == "visits_before" })
    #expect(visits["policy"] as? String == "zero")
    #expect(visits["by_variant"] as? [String: Int] == missing["visits_before_zero_filled"])
    #expect(visits["units"] as? Int == missing["visits_before_zero_filled"]?.values.reduce(0, +))
    let spend = try #require(account.first { $0["column"] as? String == "spend" })
    #expect(spend["policy"] as? String == "exclude")
    #expect(spend["by_variant"] as? [String: Int] == missing["spend_excluded"])
    let renewed = try #require(account.first { $0["column"] as? String == "renewed" })
    #expect(renewed["units"] as? Int == 0)
  }

  /// `missing: zero` fills are counted per comparison (`zero_filled_*`) and in the data account, as exclusions
  /// are (`missing_*`); aggregated input without `<c>_zero_filled` cannot tell, so they are null there.
  @Test func zeroFillsPerComparisonAndUnknownFromCells() throws {
    let directory = try makeTemporaryDirectory("strata-zero")
    defer { try? FileManager.default.removeItem(at: directory) }
    let definition = directory.appendingPathComponent("zero.yaml")
    try """
    id: zero-fill
    unit: unit_id
    salt: zero-fill
    variants:
      - key: control
      - key: treatment
    metrics:
      - name: revenue
        kind: continuous
        missing: zero
      - name: minutes
        kind: continuous
        role: secondary
    plan:
      alpha: 0.05
      power: 0.8
      mde: 1
      relative: false
      sides: 2

    """.write(to: definition, atomically: true, encoding: .utf8)
    var units = "unit_id,variant,revenue,minutes\n"
    for index in 0..<40 {
      let variant = index % 2 == 0 ? "control" : "treatment"
      // Control: 3 empty revenues (counted as 0) and 2 empty minutes (left out); treatment: 1 and 0.
      let revenue = [0, 2, 4, 1].contains(index) ? "" : "\(10 + index % 7)"
      let minutes = [6, 8].contains(index) ? "" : "\(index % 5)"
      units += "u\(index),\(variant),\(revenue),\(minutes)\n"
    }
    let unitFile = directory.appendingPathComponent("units.csv")
    try units.write(to: unitFile, atomically: true, encoding: .utf8)
    let run = try runStrata([
      "analyze", "--experiment", definition.path, "--data", unitFile.path, "--no-look-log", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let results = try #require(try run.json()["results"] as? [[String: Any]])
    let revenue = try #require(results.first { $0["metric"] as? String == "revenue" })
    #expect(revenue["zero_filled_control"] as? Int == 3 && revenue["zero_filled_treatment"] as? Int == 1)
    #expect(revenue["missing_control"] as? Int == 0 && revenue["n_control"] as? Double == 20)
    let minutes = try #require(results.first { $0["metric"] as? String == "minutes" })
    #expect(minutes["zero_filled_control"] as? Int == 0 && minutes["missing_control"] as? Int == 2)
    let account = try #require((try run.json()["data"] as? [String: Any])?["missing_values"] as? [[String: Any]])
    #expect(account.first { $0["column"] as? String == "revenue" }?["units"] as? Int == 4)
    // The same cells aggregated: the fills are unknown (null), the exclusions still counted.
    let cells = directory.appendingPathComponent("cells.csv")
    try """
    variant,segment,n,revenue_sum,revenue_sum_sq,minutes_n,minutes_sum,minutes_sum_sq
    control,all,20,200,2100,18,36,100
    treatment,all,20,220,2500,20,40,120

    """.write(to: cells, atomically: true, encoding: .utf8)
    let aggregated = try runStrata(["analyze", "--experiment", definition.path, "--data", cells.path, "--json"])
    #expect(aggregated.status == 0, "\(aggregated.stderr)")
    let rows = try #require(try aggregated.json()["results"] as? [[String: Any]])
    let filled = try #require(rows.first { $0["metric"] as? String == "revenue" })
    #expect(filled["zero_filled_control"] is NSNull)
    let left = try #require(rows.first { $0["metric"] as? String == "minutes" })
    #expect(left["zero_filled_control"] as? Int == 0 && left["missing_control"] as? Int == 2)
    let cellAccount = try #require(
      (try aggregated.json()["data"] as? [String: Any])?["missing_values"] as? [[String: Any]])
    #expect(cellAccount.first { $0["column"] as? String == "revenue" }?["units"] is NSNull)
    #expect(cellAccount.first { $0["column"] as? String == "minutes" }?["units"] as? Int == 2)
    // With `revenue_zero_filled` (what `strata sql` writes), the cells say how many values were counted as 0.
    try """
    variant,segment,n,revenue_zero_filled,revenue_sum,revenue_sum_sq,minutes_n,minutes_sum,minutes_sum_sq
    control,all,20,3,200,2100,18,36,100
    treatment,all,20,1,220,2500,20,40,120

    """.write(to: cells, atomically: true, encoding: .utf8)
    let counted = try runStrata(["analyze", "--experiment", definition.path, "--data", cells.path, "--json"])
    #expect(counted.status == 0, "\(counted.stderr)")
    let known = try #require(
      (try counted.json()["results"] as? [[String: Any]])?.first { $0["metric"] as? String == "revenue" })
    #expect(known["zero_filled_control"] as? Int == 3 && known["zero_filled_treatment"] as? Int == 1)
    let knownAccount = try #require(
      (try counted.json()["data"] as? [String: Any])?["missing_values"] as? [[String: Any]])
    #expect(knownAccount.first { $0["column"] as? String == "revenue" }?["units"] as? Int == 4)
    // A count above the values it fills is a bad row, named.
    try """
    variant,segment,n,revenue_zero_filled,revenue_sum,revenue_sum_sq,minutes_n,minutes_sum,minutes_sum_sq
    control,all,20,21,200,2100,18,36,100

    """.write(to: cells, atomically: true, encoding: .utf8)
    let bad = try runStrata(["analyze", "--experiment", definition.path, "--data", cells.path, "--strict"])
    #expect(bad.status == 1 && bad.stderr.contains("revenue_zero_filled = \"21\", which must be"), "\(bad.stderr)")
  }

  @Test func threadsDoNotChangeTheOutput() throws {
    let one = try Self.analyze(["--threads", "1"]).run.stdout
    let two = try Self.analyze(["--threads", "2"]).run.stdout
    #expect(one == two)
  }

  @Test func reportsShowTheAdjustmentAndTheEmptyValues() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lin-\(UUID())")
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", Self.data, "--no-look-log", "--report", directory.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let markdown = try String(contentsOf: directory.appendingPathComponent("lin-renewal.md"), encoding: .utf8)
    #expect(markdown.contains("**Adjusted (regression (Lin, HC3)) beside unadjusted**"))
    #expect(markdown.contains("**Adjusted (regression (Lin, HC2)) beside unadjusted**"))
    #expect(markdown.contains("Regression adjustment (Lin)"))
    #expect(
      markdown.contains("visits\\_before (covariates of \"spend\" and covariates of \"renewed\") 47 counted as 0"))
    let html = try String(contentsOf: directory.appendingPathComponent("lin-renewal.html"), encoding: .utf8)
    #expect(html.contains("Adjusted (regression (Lin, HC3)) beside unadjusted"))
    #expect(run.stdout.contains("Adjusted (regression (Lin, HC3)) beside unadjusted"))
  }

  /// A pipe gives the JSON of the file read twice, byte for byte.
  ///
  /// A pipe cannot be read twice: its units' rows are kept and Lin's two passes go over them as over the file read
  /// twice (the same cell moments, fits and sums). Both read `/dev/stdin`
  /// (redirected from the file, a regular file read twice; or `cat`'s pipe), so even the data account's file name
  /// agrees. The same for a ratio metric with CUPED (cells only, one read either way).
  @Test(arguments: ["lin", "basket-bundle"])
  func aPipeGivesTheFilesJSONByteForByte(_ example: String) throws {
    let root = packageRootURL()
    let (experiment, data) =
      example == "lin"
      ? (Self.experiment, Self.data)
      : (
        root.appendingPathComponent("experiments/basket-bundle.yaml").path,
        root.appendingPathComponent("experiments/data/basket-bundle.csv").path
      )
    let command = "\"$0\" analyze --experiment \"$1\" --data /dev/stdin --no-look-log --json"
    var outputs: [String] = []
    for script in [command + " < \"$2\"", "cat \"$2\" | " + command] {
      let run = try runExecutable(
        URL(fileURLWithPath: "/bin/sh"), ["-c", script, strataExecutableURL().path, experiment, data])
      #expect(run.status == 0, "\(run.stderr)")
      outputs.append(run.stdout)
    }
    #expect(outputs[0] == outputs[1])
    let results = try #require(try JSONSerialization.jsonObject(with: Data(outputs[0].utf8)) as? [String: Any])
    let tests = (results["results"] as? [[String: Any]] ?? []).compactMap { $0["test"] as? String }
    #expect(tests.contains(example == "lin" ? "lin-hc3" : "delta-cuped"), "\(tests)")
  }

  /// Aggregated cells without the regression columns (or without the second query's sums) stop with a sentence;
  /// `strata sql` writes the first query with those columns and says how to get the second.
  @Test func aggregatedCellsWithoutTheRegressionColumnsAreRefusedWithASentence() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lin-cells-\(UUID()).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    var text = "variant,segment,n,spend_n,spend_sum,spend_sum_sq,renewed_sum,visits_before_sum,visits_before_sum_sq,"
    text += "spend_before_sum,spend_before_sum_sq\n"
    for variant in ["control", "reminder", "coach"] {
      for segment in ["north", "south"] { text += "\(variant),\(segment),4,4,40,420,2,8,20,160,6500\n" }
    }
    try text.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata([
      "analyze", "--experiment", Self.experiment, "--data", file.path, "--no-look-log", "--json",
    ])
    #expect(run.status == 1)
    #expect(run.stderr.contains("needs unit-level rows"), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
    let sql = try runStrata(["sql", "--experiment", Self.experiment, "--dialect", "duckdb", "--table", "units"])
    #expect(sql.status == 0)
    #expect(
      sql.stdout.contains("\"spend_lin_n\"") && sql.stdout.contains("\"renewed_lin_spend_before_x_spend_before_sum\""))
    #expect(sql.stderr.contains("--regression-cells") && sql.stderr.contains("--regression-sums"), "\(sql.stderr)")
    let second = try runStrata([
      "sql", "--experiment", Self.experiment, "--dialect", "duckdb", "--table", "units", "--regression-cells",
      file.path,
    ])
    #expect(second.status == 1)
    #expect(second.stderr.contains("no regression columns"), "\(second.stderr)")
  }

  @Test(arguments: [
    (
      "kind: ratio\n    numerator: a\n    denominator: b\n    covariates: [c, d]", "metrics[0].covariates",
      "ratio metric"
    ),
    ("kind: continuous\n    covariate: c\n    covariates: [d, e]", "metrics[0].covariates", "not both"),
    ("kind: continuous\n    covariates: [c, c]", "metrics[0].covariates[1]", "listed twice"),
    ("kind: continuous\n    covariates: [spend, c]", "metrics[0].covariates[0]", "own column"),
    ("kind: continuous\n    covariates: {columns: [c], errors: hc1}", "metrics[0].covariates.errors", "hc2, hc3"),
    ("kind: continuous\n    covariates: c", "metrics[0].covariates", "list of columns"),
    ("kind: continuous\n    covariates: []", "metrics[0].covariates", "lists no column"),
  ])
  func validateNamesFileLineAndField(_ metric: String, _ field: String, _ fragment: String) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lin-\(UUID()).yaml")
    defer { try? FileManager.default.removeItem(at: file) }
    let text = """
      id: lin-check
      unit: unit_id
      salt: lin-check
      variants:
        - key: control
        - key: treatment
      metrics:
        - name: spend
          \(metric)
      plan:
        alpha: 0.05
        power: 0.8
        mde: 1
        relative: false
        sides: 2

      """
    try text.write(to: file, atomically: true, encoding: .utf8)
    let run = try runStrata(["validate", file.path])
    #expect(run.status == 1)
    #expect(run.stderr.contains(file.path + ":"), "\(run.stderr)")
    #expect(run.stderr.contains(field) && run.stderr.contains(fragment), "\(run.stderr)")
  }
}
