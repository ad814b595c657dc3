import Foundation
import StrataAnalysis

/// The confirmation half's rows of the audience file, every column kept, as CSV: the input for
/// `strata assign --stratified` in the confirmation campaign.
///
/// Fields are re-quoted only where RFC 4180 needs it (a comma, quote, CR or LF); nothing else is changed, so the
/// rows read back as the same attributes.
public enum ConfirmationRows {
  /// The header and the rows whose unit (in `audience.unitColumn`) is in the confirmation half of the result's split,
  /// in file order; the file is the one the audience was read from, so it is already known to be well formed.
  public static func csv(input: String, audience: Audience, result: DiscoveryResult) throws(DiscoveryError) -> Data {
    try csv(input: input, unitColumn: audience.unitColumn, result: result)
  }

  /// The same, the unit ids in the column `unitColumn`.
  public static func csv(input: String, unitColumn unitName: String, result: DiscoveryResult) throws(DiscoveryError)
    -> Data
  {
    let split = try HonestSplit(salt: result.options.splitSalt)
    var out = Data()
    var unitColumn: Int?
    var key: [UInt8] = []
    do {
      var scanner = try CSVScanner(path: input)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if record.isBlank { return true }
        if let column = unitColumn {
          guard split.half(bytes: AudienceReader.trimmed(record.field(column)), scratch: &key) == .confirmation else {
            return true
          }
        } else {
          let names = (0..<record.fieldCount).map {
            String(decoding: AudienceReader.trimmed(record.field($0)), as: UTF8.self)
          }
          guard let column = names.firstIndex(of: unitName) else {
            throw DiscoveryError(
              file: input, line: record.line, field: unitName, message: "the header has no such column")
          }
          unitColumn = column
        }
        let fields = (0..<record.fieldCount).map { CSVCell.quoted(record.string($0)) }
        out.append(contentsOf: Array((fields.joined(separator: ",") + "\n").utf8))
        return true
      }
    } catch let error as DiscoveryError {
      throw error
    } catch let error as DataError {
      throw DiscoveryError(file: input, line: error.line, field: "", message: error.message)
    } catch {
      throw DiscoveryError(file: input, field: "", message: "\(error)")
    }
    // No header: the input is empty (or was a pipe already read); an empty file would be a silent wrong output.
    guard unitColumn != nil else {
      throw DiscoveryError(
        file: input, line: 1, field: "", message: "the file is empty: no header to copy the confirmation rows under")
    }
    return out
  }
}
