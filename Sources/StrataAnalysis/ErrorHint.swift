/// What a caller can do about a data or look-store error, said in the library's words (values and
/// operations) and named by each caller in its own: the CLI as a flag or a command, the service as a
/// request field.
///
/// The library never names a flag: `DataError` and `LookStoreError` carry a hint, their `description`
/// reads it in these words, and `description(naming:)` lets the caller substitute its own.
public enum ErrorHint: Sendable, Hashable {
  /// The row is an error only because reading is strict (a bad row stops the read).
  case strict
  /// Without a unit id column, the duplicate-unit check has to be switched off.
  case duplicateCheck
  /// Looks can be removed from the end of the store.
  case dropLooks
  /// Giving this look number explicitly replaces the latest look; or looks can be dropped.
  case replaceLatestLook(Int)

  /// The hint in the library's words, as the end of the error's sentence.
  public var text: String {
    switch self {
    case .strict: return " (strict reading)"
    case .duplicateCheck: return "; rename the column, or switch the duplicate check off"
    case .dropLooks: return "; drop looks from the end of the look store"
    case .replaceLatestLook(let look):
      return "; replace the latest look by giving look \(look), or drop looks from the end of the look store"
    }
  }
}
