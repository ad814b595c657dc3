import Foundation
import StrataAnalysis

/// The confirmation half's rows of the audience file, every column kept, as CSV: the input for
/// `strata assign --stratified` in the confirmation campaign.
///
/// Fields are re-quoted only where RFC 4180 needs it (a comma, quote, CR or LF); nothing else is changed, so the
/// rows read back as the same attributes.
public enum ConfirmationRows {
  public static func csv(input: String, audience: Audience, result: DiscoveryResult) throws(DiscoveryError) -> Data {
    let split = try HonestSplit(salt: result.options.splitSalt)
    var wanted: Set<Int> = []
    for (index, unit) in audience.units.enumerated() where split.half(unit) == .confirmation {
      wanted.insert(audience.lines[index])
    }
    var out = Data()
    var headerDone = false
    do {
      var scanner = try CSVScanner(path: input)
      defer { scanner.close() }
      try scanner.forEachRecord { record in
        if record.isBlank && record.malformation == nil { return true }
        if !headerDone || wanted.contains(record.line) {
          headerDone = true
          let fields = (0..<record.fieldCount).map { quoted(record.string($0)) }
          out.append(contentsOf: Array((fields.joined(separator: ",") + "\n").utf8))
        }
        return true
      }
    } catch let error as DataError {
      throw DiscoveryError(file: input, line: error.line, field: "", message: error.message)
    } catch {
      throw DiscoveryError(file: input, field: "", message: "\(error)")
    }
    return out
  }

  private static func quoted(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
