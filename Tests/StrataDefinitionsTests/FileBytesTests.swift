import Foundation
import Testing

@testable import StrataDefinitions

/// Reading a whole file for the look log, the keys file, the audit key and the served definitions: why it could
/// not be read, in words a sentence can carry (Foundation said "the file could not be read" for a directory).
@Suite("Reading a whole file")
struct FileBytesTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-file-bytes-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func failure(_ path: String, limit: Int = .max) -> FileBytes.Failure? {
    do {
      _ = try FileBytes.read(path, limit: limit)
      return nil
    } catch {
      return error
    }
  }

  @Test("a file's bytes, a device read like a file")
  func reads() throws {
    let file = directory.appendingPathComponent("a.txt")
    let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try Data(bytes).write(to: file)
    #expect(try FileBytes.read(file.path) == bytes)
    #expect(try FileBytes.read("/dev/null").isEmpty)
  }

  @Test("missing, a directory, a path through a file, too large: each named")
  func failures() throws {
    let file = directory.appendingPathComponent("a.txt")
    try Data("abc".utf8).write(to: file)
    #expect(failure(directory.appendingPathComponent("none").path) == .missing)
    #expect(failure(directory.path) == .directory)
    #expect(failure(directory.path)?.reason == "is a directory")
    #expect(failure(file.path + "/x") == .system("Not a directory"))
    #expect(failure(file.path + "/x")?.reason == "cannot be read (Not a directory)")
    #expect(failure(file.path, limit: 2) == .tooLarge(limit: 2))
    #expect(failure("/dev/zero", limit: 3 << 20)?.reason == "is larger than 3 MB")
  }

  @Test("a leading UTF-8 byte-order mark dropped, and only that")
  func byteOrderMark() {
    #expect(Array(FileBytes.withoutByteOrderMark([0xEF, 0xBB, 0xBF, 0x76, 0x2C])) == [0x76, 0x2C])
    #expect(Array(FileBytes.withoutByteOrderMark([0xEF, 0xBB, 0xBF])) == [])
    #expect(Array(FileBytes.withoutByteOrderMark([0xEF, 0xBB, 0x76])) == [0xEF, 0xBB, 0x76])
    #expect(Array(FileBytes.withoutByteOrderMark([0x76, 0xEF, 0xBB, 0xBF])) == [0x76, 0xEF, 0xBB, 0xBF])
    #expect(Array(FileBytes.withoutByteOrderMark([])) == [])
  }
}
