import Foundation

extension DefinitionLoader {
  /// The largest definition read: far above any real one (20,000 segments take a few MB), and a bound for a
  /// device such as `/dev/zero` named by mistake.
  static let largestFile = 256 << 20

  /// The text of the file at `url` (a leading byte-order mark dropped), or one sentence naming it: missing, a
  /// directory, unreadable, too large, or not UTF-8 (with the line and column of the first byte that is not).
  ///
  /// Read with `read(2)`, so a device or FIFO (`/dev/null`, `<(...)`) reads like a file.
  package static func text(contentsOf url: URL) throws(ExperimentFileError) -> String {
    let path = url.path
    func failure(_ message: String, line: Int = 1) -> ExperimentFileError {
      ExperimentFileError(file: path, line: line, field: "", message: message)
    }
    let whole: [UInt8]
    do {
      whole = try FileBytes.read(path, limit: largestFile)
    } catch {
      switch error {
      case .missing: throw failure("no such file")
      case .directory: throw failure("is a directory, not an experiment definition (a YAML file)")
      case .tooLarge: throw failure("is larger than \(largestFile >> 20) MB, too large for an experiment definition")
      case .system(let reason): throw failure("cannot read the file (\(reason))")
      }
    }
    let bytes = Array(FileBytes.withoutByteOrderMark(whole))
    guard let text = String(validating: bytes, as: UTF8.self) else {
      let offset = firstInvalidUTF8(bytes)
      let lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
      let line = bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
      let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1
      let byte = String(bytes[offset], radix: 16, uppercase: true)
      throw failure(
        "is not UTF-8 text: byte 0x\(byte.count == 1 ? "0" + byte : byte) at column \(column) is not valid UTF-8 "
          + "(save the file as UTF-8)", line: line)
    }
    return text
  }

  /// The offset of the first byte of `bytes` that does not start a valid UTF-8 sequence (`bytes.count` if none).
  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .emptyInput, .error: return offset
      }
    }
  }
}
