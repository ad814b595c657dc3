import Foundation
import StrataAnalysis
import StrataTestSupport
import Testing

@Suite("Atomic file writes")
struct AtomicFileTests {
  @Test("writes the whole file and leaves no temporary file behind")
  func writesAndCleansUp() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-atomic-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("out.txt")
    try AtomicFile.write("first", to: url)
    try AtomicFile.write("second", to: url)
    #expect(try String(contentsOf: url, encoding: .utf8) == "second")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
  }
}

@Suite("Atomic file sets")
struct AtomicFileSetTests {
  @Test("a rename failing midway restores the files already replaced: all old or all new")
  func failedRenameRestoresTheOldSet() throws {
    let dir = try makeTemporaryDirectory("strata-atomic")
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("a.html")
    let second = dir.appendingPathComponent("a.md")
    try "old a".write(to: first, atomically: false, encoding: .utf8)
    try "old b".write(to: second, atomically: false, encoding: .utf8)
    let writers = try [first, second].map { try AtomicFileWriter(path: $0.path) }
    writers[0].append(Array("new a".utf8))
    writers[1].append(Array("new b".utf8))
    // Take the second temporary file away: its rename fails after the first one succeeded.
    let temporary = dir.appendingPathComponent(".a.md.\(ProcessInfo.processInfo.processIdentifier).tmp")
    #expect(FileManager.default.fileExists(atPath: temporary.path))
    try FileManager.default.removeItem(at: temporary)
    #expect(throws: FileWriteError.self) { try AtomicFileWriter.commit(writers) }
    #expect(try String(contentsOf: first, encoding: .utf8) == "old a")
    #expect(try String(contentsOf: second, encoding: .utf8) == "old b")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.html", "a.md"])
  }

  @Test("a set whose files all write is replaced whole, keeping each file's mode")
  func successfulSetKeepsModes() throws {
    let dir = try makeTemporaryDirectory("strata-atomic")
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("a.html")
    let second = dir.appendingPathComponent("sub/a.md")
    try "old a".write(to: first, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: first.path)
    try AtomicFile.write([(Data("new a".utf8), first), (Data("new b".utf8), second)])
    #expect(try String(contentsOf: first, encoding: .utf8) == "new a")
    #expect(try String(contentsOf: second, encoding: .utf8) == "new b")
    let mode = try FileManager.default.attributesOfItem(atPath: first.path)[.posixPermissions] as? Int
    #expect(mode == 0o640)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.html", "sub"])
  }
}
