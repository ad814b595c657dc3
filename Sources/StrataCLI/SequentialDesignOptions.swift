import ArgumentParser
import StrataDesign
import StrataStats

/// `--looks`, `--fractions`, `--alpha`, `--sides` and `--spending`: a group-sequential design, declared once for
/// `strata calc boundaries` and `strata simulate`.
///
/// `strata plan` takes its alpha and sides with the test it sizes and adds optional looks (`PlanSequentialOptions`),
/// built through the same ``design``.
struct SequentialDesignOptions: ParsableArguments {
  @Option(help: "Number of planned looks K (including the final analysis).")
  var looks: Int

  @Option(help: "Cumulative information fractions, increasing and ending in 1 (default: equally spaced k/K).")
  var fractions: NumberList?

  @Option(help: "Total type I error (both sides together when two-sided).")
  var alpha: Double = 0.05

  @Option(help: "2 for a two-sided test, 1 for one-sided (treatment greater than control).")
  var sides: Int = 2

  @Option(help: "Alpha spending: obf (O'Brien-Fleming type), pocock or hsd:GAMMA (e.g. hsd:-4); default obf.")
  var spending: String?

  /// The design these options describe; a value out of range is an input error naming its flag (exit 1).
  func design() throws -> GroupSequentialDesign {
    try Self.design(
      looks: looks, fractions: fractions, alpha: alpha, alternative: try Alternative(sides: sides),
      spending: spending)
  }

  /// A group-sequential design from flag values; `spending` nil is O'Brien-Fleming.
  static func design(
    looks: Int, fractions: NumberList?, alpha: Double, alternative: Alternative, spending: String?
  ) throws -> GroupSequentialDesign {
    try namingFlags { () throws(StatsError) in
      let function = try StatsError.converting { () throws(DesignError) in
        try SpendingFunction(parsing: spending ?? "obf")
      }
      return try GroupSequentialDesign(
        looks: looks, fractions: fractions?.values, alpha: alpha, alternative: alternative, spending: function)
    }
  }
}

extension Alternative {
  /// The alternative `--sides` asks for: 2 is two-sided, 1 is "treatment greater than control".
  init(sides: Int) throws {
    switch sides {
    case 2: self = .twoSided
    case 1: self = .greater
    default: throw InvalidInput("--sides: must be 1 or 2, got \(sides)")
    }
  }
}

/// The flag that sets each value the statistics library names in its errors.
///
/// The library names values (`fractions`, `alternative`), not flags; what a user sees names the flag.
let flagOfValue: [String: String] = [
  "looks": "--looks", "fractions": "--fractions", "alpha": "--alpha", "alternative": "--sides",
  "spending": "--spending", "power": "--power", "drift": "--drift", "experiments": "--experiments", "tau": "--tau",
  "look": "--look", "factors": "--factors", "fraction": "--fraction", "generators": "--generators",
]

extension StatsError {
  /// The error with a value's name replaced by its flag (``flagOfValue``); other errors as they are.
  var namingFlag: StatsError {
    guard case .invalidInput(let field, let message) = self, let flag = flagOfValue[field] else { return self }
    return .invalidInput(field: flag, message: message)
  }
}

/// Runs a library call; an invalid value it reports is named by its flag (``StatsError/namingFlag``).
func namingFlags<T>(_ body: () throws(StatsError) -> T) throws(StatsError) -> T {
  do {
    return try body()
  } catch {
    throw error.namingFlag
  }
}
