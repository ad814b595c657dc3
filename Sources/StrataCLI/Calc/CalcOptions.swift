import ArgumentParser
import StrataAnalysis
import StrataReport
import StrataStats

/// The help of the options the calculators share: `--json`, `--alpha`, `--sides` and the mean arms' `--a`, `--b`.
///
/// Each calculator declares these options itself (`@Option(help: CalcHelp.alpha) var alpha: Double = 0.05`)
/// rather than through shared `@OptionGroup`s: ArgumentParser reflects on every option group type it meets and
/// casts it to its protocols, and each first cast of a type scans all the conformance records of the binary
/// (about 0.45 M instructions each, four per group): `calc ttest`'s four groups cost 17 scans at every start.
/// Declared in the same order with the same help, the options print the same help and parse the same way.
enum CalcHelp {
  static let json = ArgumentHelp("Print exactly one JSON object instead of a table.")
  static let alpha = ArgumentHelp("Significance level α (0 < α < 1); intervals are at confidence 1 − α.")
  static let sides = ArgumentHelp("2 for a two-sided test, 1 for one-sided (treatment greater than control).")
  static let meanControl = ArgumentHelp("Control: units, mean and standard deviation.", valueName: "n,mean,sd")
  static let meanTreatment = ArgumentHelp("Treatment: units, mean and standard deviation.", valueName: "n,mean,sd")
}

/// 1 − α for `--alpha`, after checking 0 < α < 1 (exit 1 otherwise).
func confidenceLevel(alpha: Double) throws -> Double {
  guard alpha > 0 && alpha < 1 else { throw InvalidInput("--alpha must be strictly between 0 and 1, got \(alpha)") }
  guard 1 - alpha < 1 else {
    throw InvalidInput("--alpha \(alpha) is too small: the confidence level 1 − alpha is 1 to double precision")
  }
  return 1 - alpha
}

/// Builds domain values from one flag's numbers; a domain error names the flag as well as the field.
func values(_ list: NumberList, flag: String, expecting names: [String]) throws -> [Double] {
  guard list.values.count == names.count else {
    throw InvalidInput(
      "\(flag) expects \(names.count) comma-separated numbers \"\(names.joined(separator: ","))\", got \(list.values.count)"
    )
  }
  return list.values
}

/// Runs `body`, prefixing a `StatsError.invalidInput` with the flag it came from.
func forFlag<T>(_ flag: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as StatsError {
    if case .invalidInput = error { throw InvalidInput("\(flag): \(error)") }
    throw error
  }
}

/// An ordered JSON object whose missing or non-finite numbers print as `null` with a reason in `notes`.
struct CalcOutput {
  private(set) var members: [(String, JSONValue)] = []
  private(set) var notes: [String] = []

  mutating func add(_ key: String, _ value: JSONValue) { members.append((key, value)) }

  /// Adds a number; `nil` or non-finite becomes `null` and `whyMissing` (or a generic reason) goes to `notes`.
  mutating func add(_ key: String, _ value: Double?, whyMissing: String? = nil) {
    members.append((key, .finite(value)))
    guard let value, value.isFinite else {
      let reason =
        whyMissing
        ?? (value.map { $0.isNaN ? "is not a number" : "is \($0 > 0 ? "+" : "−")∞, which JSON cannot hold" }
          ?? "is undefined")
      note("\(key) is null: \(reason)")
      return
    }
  }

  mutating func note(_ sentence: String) {
    if !notes.contains(sentence) { notes.append(sentence) }
  }

  var json: JSONValue { .object(members + [("notes", .array(notes.map { .string($0) }))]) }
}

/// "95%" for 0.95.
func confidencePercent(_ level: Double) -> String {
  let value = level * 100
  return value == value.rounded() ? "\(Int(value))%" : "\(NumberText.human(value, digits: 2))%"
}

/// "[low, high]" for people, with ∞ ends.
func humanInterval(_ interval: ConfidenceInterval?, digits: Int = 4, scale: Double = 1, suffix: String = "") -> String {
  guard let interval else { return "n/a" }
  return
    "[\(NumberText.human(interval.lower * scale, digits: digits))\(suffix), \(NumberText.human(interval.upper * scale, digits: digits))\(suffix)]"
}

/// A sentence describing the alternative.
func describe(_ alternative: Alternative) -> String {
  switch alternative {
  case .twoSided: return "two-sided"
  case .greater: return "one-sided: treatment greater than control"
  case .less: return "one-sided: treatment less than control"
  }
}

/// Runs `body`, renaming the library's arm fields (`control.n`) to the flags people typed (`--a n`).
func withArmFlags<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as StatsError {
    guard case .invalidInput(let field, let message) = error else { throw error }
    let renamed =
      field.hasPrefix("control.")
      ? "--a " + field.dropFirst("control.".count)
      : field.hasPrefix("treatment.") ? "--b " + field.dropFirst("treatment.".count) : field
    throw InvalidInput("\(renamed): \(message)")
  }
}
