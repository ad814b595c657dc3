import Crypto
import Foundation
import StrataAnalysis

extension Analyze {
  /// The reports' footer: Strata's version, the generation time (the clock, or `SOURCE_DATE_EPOCH` for
  /// byte-identical reports) and the SHA-256 of the definition and of each data file.
  ///
  /// Computed only when reports are written, so `--json` alone reads each file once, as before. A data
  /// source that is not a regular file (a pipe, a device) has already been consumed: it is named with
  /// no digest rather than read again.
  func provenance() throws -> ReportProvenance {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime]
    return ReportProvenance(
      generatedAt: formatter.string(from: try Self.lookTime()), definition: try Self.digest(experiment),
      data: try data.map(Self.digest))
  }

  /// The SHA-256 of a regular file's bytes, read in 1 MiB chunks; "" for anything else (standard input, `-`).
  static func digest(_ path: String) throws -> ReportProvenance.FileDigest {
    guard !StandardInput.isStandardInput(path) else { return ReportProvenance.FileDigest(path: path, sha256: "") }
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    guard attributes?[.type] as? FileAttributeType == .typeRegular else {
      return ReportProvenance.FileDigest(path: path, sha256: "")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw InvalidInput("cannot read \(path) to compute its SHA-256 for the report")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    do {
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    } catch {
      throw InvalidInput("cannot read \(path) to compute its SHA-256 for the report: \(error.localizedDescription)")
    }
    let hex = hasher.finalize().map { byte in
      String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
    }
    return ReportProvenance.FileDigest(path: path, sha256: hex.joined())
  }
}
