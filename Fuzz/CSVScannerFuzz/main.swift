// libFuzzer target: the CSV scanner, and both readers built on it (unit-level and aggregated analysis
// data, and batch assignment). Built only by Scripts/fuzz.sh (STRATA_FUZZ=1); compiled with
// -parse-as-library, so libFuzzer supplies `main`.
import Foundation
import StrataAnalysis
import StrataAssignment

private let directory = FileManager.default.temporaryDirectory
  .appendingPathComponent("strata-fuzz-csv-\(getpid())")
private let created: Void = {
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
}()

private let plan = AnalysisPlan(
  id: "fuzz", variants: ["control", "treatment"], segments: ["north", "south"],
  metrics: [
    AnalysisPlan.Metric(name: "converted", kind: .binomial, role: .primary, missing: .zero),
    AnalysisPlan.Metric(name: "revenue", kind: .continuous, role: .secondary, missing: .exclude),
  ])

// swift-format-ignore: NeverForceUnwrap, NeverUseForceTry
private let experiment = try! Experiment(
  id: "fuzz", unit: "unit_id", variants: [Variant(key: "control"), Variant(key: "treatment")],
  eligibility: try! Rule("age >= 18 or vip"),
  segments: [Segment(name: "north", rule: try! Rule("region == \"north\"")), Segment(name: "rest")])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  _ = created
  let input = directory.appendingPathComponent("input.csv")
  // Assignments stream to /dev/null: the writer writes a device in place (no temporary file, rename or
  // fsync per input, which held the first runs to 6 inputs a second).
  let output = URL(fileURLWithPath: "/dev/null")
  FileManager.default.createFile(atPath: input.path, contents: Data(bytes: start, count: count))
  // A tiny buffer exercises refills and records that straddle them.
  if var scanner = try? CSVScanner(path: input.path, bufferSize: 16) {
    _ = try? scanner.forEachRecord { record in
      for index in 0..<record.fieldCount { _ = record.field(index) }
      return true
    }
    scanner.close()
  }
  _ = try? DataReader.read(path: input.path, plan: plan)
  _ = try? DataReader.read(path: input.path, plan: plan, options: DataReadOptions(strict: true))
  _ = try? BatchAssignment(experiment: experiment, inputPath: input.path, outputPath: output.path, stratified: false)
    .run()
  _ = try? BatchAssignment(experiment: experiment, inputPath: input.path, outputPath: output.path, stratified: true)
    .run()
  return 0
}

/// libFuzzer's driver, declared here because no Swift module exports it.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

/// The executable's entry point: SwiftPM links `main` to `<target>_main`, and this hands over to libFuzzer.
@_cdecl("CSVScannerFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var count = argc
  var arguments = argv
  return runDriver(&count, &arguments) { fuzz($0, $1) }
}
