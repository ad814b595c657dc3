// libFuzzer target: the rule language (tokenizer, parser, canonical text, evaluation). Built only by
// Scripts/fuzz.sh (STRATA_FUZZ=1); compiled with -parse-as-library, so libFuzzer supplies `main`.
import StrataAssignment

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let source = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  guard let rule = try? Rule(source) else { return 0 }
  // The canonical text parses back to the same tree (unless its extra parentheses cross the depth limit).
  let canonical = rule.expression.description
  if let again = try? Rule(canonical), again.expression != rule.expression {
    fatalError("canonical text \(canonical) of \(source) parses back to a different rule")
  }
  var attributes: [String: AttributeValue] = [:]
  for (index, name) in rule.attributes.enumerated() {
    switch index % 4 {
    case 0: attributes[name] = .string("12")
    case 1: attributes[name] = .number(3.5)
    case 2: attributes[name] = .bool(true)
    default: break
    }
  }
  _ = rule.matches(attributes)
  _ = rule.matches([:])
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
@_cdecl("RuleParserFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var count = argc
  var arguments = argv
  return runDriver(&count, &arguments) { fuzz($0, $1) }
}
