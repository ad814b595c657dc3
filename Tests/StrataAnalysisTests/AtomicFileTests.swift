import Foundation
import StrataAnalysis
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
