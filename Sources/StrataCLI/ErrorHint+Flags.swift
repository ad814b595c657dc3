import StrataAnalysis

extension ErrorHint {
  /// The hint naming the CLI's flags and commands (the library names values and operations).
  var namingFlags: String {
    switch self {
    case .strict: return " (--strict)"
    case .duplicateCheck: return "; rename the column, or pass --no-duplicate-check"
    case .dropLooks: return "; drop looks with strata looks drop"
    case .replaceLatestLook(let look):
      return "; replace the latest look with --look \(look), or drop looks with strata looks drop"
    }
  }
}
