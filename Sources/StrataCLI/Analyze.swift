import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataReport
import StrataStats

/// `strata analyze`: experiment definition + data → per-segment results, SRM, pooled estimates, reports.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Analyse an experiment's data: SRM, per-segment results, pooled estimate, reports.",
    discussion: """
      Reads the data in one streaming pass (unit-level rows, or pre-aggregated n/sum/sum_sq per \
      variant × segment) and reports, for every metric, treatment vs control per segment and overall, \
      with the sample-ratio check first, a corrected multiple-testing family for the primary metric, \
      and a stratified (Mantel-Haenszel / inverse-variance) estimate with a heterogeneity test.

      Examples:
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --report reports/
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --json --correction bh
        strata analyze --experiment experiments/gym-renewal.yaml --json \\
          --data day1.csv day2.csv day3.csv  # doc-example: skip (your exports)

      Data in PostgreSQL: --database runs the query of `strata sql` there and reads only the \
      cells it returns (docs/warehouse.md); the password comes from PGPASSWORD. The look log \
      is then <experiment>.looks.jsonl.
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --database postgresql://analyst@db:5432/crm \\
          --table public.gym_units  # doc-example: skip (your database)

      Sequential plans (looks > 1): each run is a look, recorded in <data>.looks.jsonl (or --look-log \
      FILE); the same data again is the same look, and the output says which look it recorded. Corrected \
      data for the latest look K: re-run with --look K to replace it instead of adding look K + 1. A look \
      recorded by mistake: strata looks drop. A look past the plan shows always-valid p-values instead of \
      naive ones; --look is at most the plan's looks + 100. A look is recorded at the current time, or at \
      SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set, for byte-identical reports.
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv \\
          --look-log reports/gym-rerun.looks.jsonl
        strata analyze --experiment experiments/gym-renewal.yaml --look 1 \\
          --data experiments/data/gym-renewal.csv \\
          --look-log reports/gym-rerun.looks.jsonl
        strata looks list --look-log reports/gym-rerun.looks.jsonl
        strata looks drop --look-log reports/gym-rerun.looks.jsonl --look 1
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --no-look-log --look 2

      A unit-level data file is read on every core (--threads, default: the machine's cores), cut \
      into chunks by its bytes alone and merged in file order, so the output is byte-identical \
      whatever the number of threads. A pipe of unit-level data is cut into the same chunks as it \
      arrives and read on every core too, with or without the duplicate check.
        strata analyze --experiment experiments/gym-renewal.yaml \\
          --data experiments/data/gym-renewal.csv --threads 2

      A factorial experiment (factors instead of variants) leads with main effects, interactions, \
      Type III ANOVA, marginal means and the best cell, per metric, segment and overall.
        strata analyze --experiment experiments/email-factorial.yaml \\
          --data experiments/data/email-factorial.csv

      --data - reads standard input (cat data.csv | strata analyze ... --data -), once and on one \
      thread, with the same output as the file's; messages name it <stdin> and the JSON's data.file \
      is "-". A sequential plan then needs --look-log FILE or --no-look-log (no file to log next to), \
      as it does when the data is any other file that is not a regular one (a FIFO) or is named by a path \
      under /dev or /proc (/dev/stdin, even when the shell redirected a file to it).
        strata analyze --experiment experiments/gym-renewal.yaml --json \\
          --data - --no-look-log < experiments/data/gym-renewal.csv
      """
  )

  @Option(help: "The experiment definition (YAML).")
  var experiment: String

  @Option(
    parsing: .upToNextOption,
    help:
      "The data: a CSV with one row per unit, or pre-aggregated sums per variant × segment; several files (repeat --data, or list them after it) are parts of one data set and merge exactly; - is standard input (at most once). Standard input redirected from a file (--data - < FILE) is read in place as that file, with no copy. A pipe (-, a FIFO) of unit-level data is read as it arrives in a file's chunks with a file's duplicate check and memory, and copied into a temporary file in $TMPDIR (default /tmp; removed at once, nothing is left; written past the page cache) for the second read repeated units need (1.3–1.5× the CPU of a file read without the check, measured at 10 M and 30 M rows); when that cannot be written, its rows are checked in memory instead, with a note. With --no-duplicate-check a pipe is read in the same chunks with no copy (1.1× the CPU of the file). A file read in place, like one named, is read up to the size it had when the read began, and a part read again (Lin's regression, chunks with repeated units) that changed meanwhile fails (\"changed while it was read\" or \"changed while it was being read\")."
  )
  var data: [String] = []

  @Option(
    help: ArgumentHelp(
      "Run the pushdown query on PostgreSQL instead of reading --data: postgresql://[user[:password]@][host][:port][/db], read as libpq reads it (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE fill what it leaves out; the password is never shown; ?sslmode=disable|prefer|require|verify-ca|verify-full, default prefer; docs/warehouse.md).",
      valueName: "url"))
  var database: String?

  @Option(help: "With --database: the table or view with one row per unit (table or schema.table).")
  var table: String?

  @Option(help: "With --database: the service's exposures table (with --events).")
  var exposures: String?

  @Option(help: "With --database: the service's events table (with --exposures).")
  var events: String?

  @Option(
    help:
      "With --database: give up after this many seconds (connecting, the query and its rows); connecting alone gives up after 10 s."
  )
  var timeout: Int = 3600

  @Option(
    help: ArgumentHelp(
      "With --data cells from `strata sql`: the saved result (CSV) of the second query that `strata sql --regression-cells` writes, for metrics with covariates: (Lin's regression, docs/warehouse.md).",
      valueName: "file"))
  var regressionSums: String?

  @Option(
    help:
      ArgumentHelp(
        "Which look at the data this is (1-based, at most the plan's looks + 100); default: from the look log. "
          + "Naming the latest look replaces it (corrected data).")
  )
  var look: Int?

  @Option(help: "The look log (JSON lines, one per look); default: <data>.looks.jsonl next to the data.")
  var lookLog: String?

  @Flag(help: "Do not read or write a look log (the look is --look, else 1).")
  var noLookLog = false

  @Flag(help: "Print one JSON object instead of tables.")
  var json = false

  @Option(help: "Write DIR/<experiment-id>.html, .md and -results.csv.")
  var report: String?

  @Flag(help: "Fail on the first invalid row instead of counting and skipping it.")
  var strict = false

  @Option(
    help: ArgumentHelp(
      "A metric value to read as missing besides an empty field (repeatable), e.g. NA for files R wrote.",
      discussion:
        "Matched exactly, after leading and trailing spaces. Such a value is handled by its metric's missing: policy (zero or exclude) and counted in the data account's missing values, as an empty field is. Without it a row with NA is counted as unparseable and skipped (under --strict, the analysis stops), and the message says how to read it as missing. 0/1 metrics also take TRUE/FALSE (True/False, true/false) as 1/0. Example: --missing-value NA --missing-value NULL.",
      valueName: "value"))
  var missingValue: [String] = []

  @Option(help: "Multiple-testing correction of the primary family: holm, bh, bonferroni or none (default: holm).")
  var correction: CorrectionArgument?

  @Option(
    help:
      "The multiple-testing family: primary (every segment × variant comparison of the primary metric) or all-metrics (also secondary metrics)."
  )
  var family: FamilyArgument = FamilyArgument(value: .primary)

  @Option(help: "p-value below which the sample-ratio check declares a mismatch.")
  var srmThreshold: Double = 0.001

  @Option(
    help:
      "Factorial experiments: standard errors for continuous metrics, hc1 (robust) or classical; binomial metrics always use hc1."
  )
  var factorialErrors: FactorialErrorsArgument = FactorialErrorsArgument(value: .hc1)

  @Flag(
    help:
      "Skip duplicate-unit detection (saves ~8 bytes of memory per row, and for a pipe its temporary copy in $TMPDIR)."
  )
  var noDuplicateCheck = false

  @Option(
    help: ArgumentHelp(
      "Threads reading a data file (default: the machine's cores); the output does not depend on it.",
      valueName: "n"))
  var threads: Int?

  func validate() throws {
    if database == nil {
      guard !data.isEmpty else { throw ValidationError("Give --data (one or more files) or --database.") }
      if table != nil || exposures != nil || events != nil {
        throw ValidationError("--table, --exposures and --events go with --database.")
      }
    } else {
      guard data.isEmpty else { throw ValidationError("Give either --data or --database, not both.") }
      guard regressionSums == nil else {
        throw ValidationError("--regression-sums goes with --data: --database runs both queries itself.")
      }
      switch (table, exposures, events) {
      case (.some, nil, nil), (nil, .some, .some): break
      default: throw ValidationError("--database needs --table, or --exposures with --events.")
      }
      guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second.") }
    }
    if let threads, !(1...1024).contains(threads) {
      throw ValidationError("--threads must be between 1 and 1024, got \(threads).")
    }
    let paths: [(String, String?)] =
      [("--report", report), ("--look-log", lookLog), ("--regression-sums", regressionSums)]
      + data.map { ("--data", $0) }
    for (flag, value) in paths where value?.isEmpty == true {
      throw ValidationError("\(flag) is empty: give a path.")
    }
    if data.filter(StandardInput.isStandardInput).count > 1 {
      throw ValidationError("--data - (standard input) can be given only once: it is read once, to its end.")
    }
    if database != nil && !missingValue.isEmpty {
      throw ValidationError("--missing-value goes with --data: in a database a missing value is NULL.")
    }
    for value in missingValue {
      let trimmed = value.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty, !value.contains(where: \.isNewline) else {
        throw ValidationError("--missing-value '\(value)': give the text a missing value has in the file, e.g. NA.")
      }
      guard Array(trimmed.utf8).withUnsafeBufferPointer({ NumberParser.parse($0) }) == nil else {
        throw ValidationError(
          "--missing-value '\(value)' is a number, and a number is read as a value: a metric's missing values must be written as text (e.g. NA) or left empty."
        )
      }
    }
  }

  /// How `run` reads the data files.
  func readOptions(progress: (@Sendable (Int, Int) -> Void)?) -> DataReadOptions {
    var options = DataReadOptions(
      strict: strict, checkDuplicates: !noDuplicateCheck,
      threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, progress: progress)
    options.missingValues = missingValue.map { $0.trimmingCharacters(in: .whitespaces) }
    return options
  }

  func run() throws {
    try reportingErrors {
      guard srmThreshold > 0, srmThreshold < 1 else {
        throw InvalidInput("--srm-threshold must be between 0 and 1, got \(srmThreshold)")
      }
      if let look, look < 1 { throw InvalidInput("--look must be 1 or more, got \(look)") }
      for (index, path) in data.enumerated() {
        // Parts merge by adding up: one file given twice would count each of its rows twice.
        if let earlier = data[..<index].first(where: { OutputDestination.isSameFile(path, as: $0) }) {
          throw InvalidInput(
            "--data \(path) is the same file as --data \(earlier): the parts of a data set add up, so its rows "
              + "would count twice; give each file once")
        }
      }
      let definition = try ExperimentLoader.loadDefinition(contentsOf: URL(fileURLWithPath: experiment))
      var plan = AnalysisPlan(definition: definition)
      plan.factorialDesign = definition.factorialDesign
      plan.factorialContinuousErrors = factorialErrors.value
      if let correction { plan.correction = correction.value }
      plan.family = family.value
      if noLookLog && lookLog != nil { throw InvalidInput("--look-log and --no-look-log cannot be combined") }
      try checkLookOptions(plan: plan)
      plan.srmThreshold = srmThreshold
      let showProgress = standardErrorIsTerminal && !json
      let progress: (@Sendable (Int, Int) -> Void)? = showProgress ? ProgressLine.update : nil
      var summary =
        database != nil
        ? try readDatabase(plan: plan)
        : try DataReader.read(
          paths: data, plan: plan,
          options: readOptions(progress: progress))
      if showProgress { ProgressLine.finish() }
      if database == nil { warnDoubtfulCells(summary, plan: plan) }
      if let regressionSums { try readRegressionSums(regressionSums, into: &summary, plan: plan) }
      var analysis = try Analyzer(plan: plan, look: look).analyze(summary)
      let lookOutcome = try guardLooks(&analysis, plan: plan)
      var written: [String] = []
      // The segments the reports and the text show, ranked once for all of them.
      let shown = report != nil || !json ? ReportSegments(analysis) : nil
      if let report {
        analysis.provenance = try provenance()
        written = try ReportWriter.write(analysis, to: URL(fileURLWithPath: report), segments: shown).map(\.path)
      }
      if json {
        // Written entry by entry: no tree of every comparison (600,000 at 20,000 segments × 16 variants).
        AnalysisJSON.write(analysis, to: printChunk)
        print()
      } else {
        printText(AnalysisText.render(analysis, width: terminalWidth(), segments: shown))
        for path in written { printText("wrote \(path)") }
      }
      if let lookOutcome {
        reportLook(lookOutcome, plan: plan)
        // The look was recorded before the output was written (see docs/analyze.md): say so when the output
        // was lost, with the undo, rather than leaving the end-of-command check's bare sentence.
        if let failure = StandardOutput.flushAndCheck(), let kept = Self.lookKeptNote(lookOutcome, plan: plan) {
          throw InvalidInput("\(StandardOutput.failureSentence(failure)); \(kept)")
        }
      }
      // The output is written: the process ends next, so the analysis and the definition are left to it.
      UntilExit.keep((definition, plan, analysis))
    }
  }
}

/// `--correction` values.
struct CorrectionArgument: ExpressibleByArgument {
  var value: AnalysisPlan.Correction
  init?(argument: String) {
    switch argument {
    case "holm": value = .holm
    case "bh", "benjamini-hochberg", "fdr": value = .benjaminiHochberg
    case "bonferroni": value = .bonferroni
    case "none": value = .none
    default: return nil
    }
  }
}

/// `--family` values.
struct FamilyArgument: ExpressibleByArgument {
  var value: AnalysisPlan.FamilyScope
  init(value: AnalysisPlan.FamilyScope) { self.value = value }
  init?(argument: String) {
    guard let value = AnalysisPlan.FamilyScope(rawValue: argument) else { return nil }
    self.value = value
  }
  var defaultValueDescription: String { value.rawValue }
}

/// `--factorial-errors` values.
struct FactorialErrorsArgument: ExpressibleByArgument {
  var value: CovarianceEstimator
  init(value: CovarianceEstimator) { self.value = value }
  init?(argument: String) {
    guard argument == "hc1" || argument == "classical", let value = CovarianceEstimator(rawValue: argument) else {
      return nil
    }
    self.value = value
  }
  var defaultValueDescription: String { value.rawValue }
}

/// A progress line on stderr (only when stderr is a terminal).
enum ProgressLine {
  @Sendable static func update(_ bytes: Int, _ total: Int) {
    let megabytes = Double(bytes) / 1_048_576
    let text =
      total > 0
      ? String(format: "\rreading %.0f MB (%.0f%%)", megabytes, 100 * Double(bytes) / Double(total))
      : String(format: "\rreading %.0f MB", megabytes)
    FileHandle.standardError.write(Data(text.utf8))
  }

  static func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
