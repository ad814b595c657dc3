/// Where a report came from, for its footer: Strata's version, when it was generated, and the SHA-256 of
/// the definition and of each data file, so a reader can check that a report matches its inputs.
public struct ReportProvenance: Sendable, Hashable {
  /// One input file and the SHA-256 of its bytes (64 lowercase hex digits).
  public struct FileDigest: Sendable, Hashable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
      self.path = path
      self.sha256 = sha256
    }
  }

  /// Strata's version (`StrataVersion.current`).
  public var version: String
  /// ISO 8601 UTC, to the second: the clock, or `SOURCE_DATE_EPOCH` for reproducible reports.
  public var generatedAt: String
  public var definition: FileDigest
  public var data: [FileDigest]

  public init(version: String = StrataVersion.current, generatedAt: String, definition: FileDigest, data: [FileDigest])
  {
    self.version = version
    self.generatedAt = generatedAt
    self.definition = definition
    self.data = data
  }
}

/// The version of Strata, shared by `strata --version` and the reports' footer.
public enum StrataVersion {
  public static let current = "0.1.0"
}
