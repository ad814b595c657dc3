// libFuzzer target: the experiment loader (YAML through Yams, every field's validation, rules, plans,
// factorial designs). Built only by Scripts/fuzz.sh (STRATA_FUZZ=1); compiled with -parse-as-library,
// so libFuzzer supplies `main`.
import StrataAnalysis
import StrataAssignment
import StrataDefinitions

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let yaml = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  guard let definition = try? ExperimentLoader.loadDefinition(yaml: yaml, file: "fuzz.yaml") else { return 0 }
  _ = definition.experiment.assign(unit: "u-1", attributes: [:])
  _ = try? definition.plannedMaximumSampleSizePerVariant()
  _ = ExperimentYAMLWriter.yaml(for: definition)
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
@_cdecl("ExperimentLoaderFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var count = argc
  var arguments = argv
  return runDriver(&count, &arguments) { fuzz($0, $1) }
}
