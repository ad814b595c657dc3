import Foundation
import StrataDefinitions
import Testing

/// A definition path that is not a UTF-8 text file: one sentence naming it and what it is (Foundation's
/// "NSCocoaErrorDomain error 256", "isn't in the correct format" and, for `/dev/null`, "You don't have
/// permission" before).
@Suite("Reading a definition file")
struct DefinitionFileTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-definition-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
  }

  static func error(_ url: URL) -> String? {
    do {
      _ = try DefinitionLoader.load(contentsOf: url)
      return nil
    } catch {
      return error.description
    }
  }

  static let valid = Array("id: d\nvariants: [a, b]\n".utf8)

  @Test("a directory, a missing file, a device that reads empty")
  func notAFile() throws {
    #expect(Self.error(directory) == "\(directory.path):1: is a directory, not an experiment definition (a YAML file)")
    let missing = directory.appendingPathComponent("missing.yaml")
    #expect(Self.error(missing) == "\(missing.path):1: no such file")
    #expect(Self.error(URL(fileURLWithPath: "/dev/null")) == "/dev/null:1: the file is empty")
  }

  @Test("bytes that are not UTF-8: the line and column of the first, the byte")
  func notUTF8() throws {
    // "name: Gym r\u{E9}newal" in Latin-1 on line 3, after a line with a multi-byte character
    let latin1 = try file(
      "latin1.yaml", Array("id: d\nhypothesis: caf\u{E9}\nname: Gym r".utf8) + [0xE9] + Array("newal\n".utf8))
    #expect(
      Self.error(latin1)
        == "\(latin1.path):3: is not UTF-8 text: byte 0xE9 at column 12 is not valid UTF-8 (save the file as UTF-8)")
    let binary = try file("binary.yaml", [0x00, 0xFF, 0xFE, 0x41])
    #expect(Self.error(binary)?.hasPrefix("\(binary.path):1: is not UTF-8 text: byte 0xFF at column 2 ") == true)
  }

  @Test("a byte-order mark and CRLF line ends load as the plain file does")
  func bomAndCRLF() throws {
    let plain = try DefinitionLoader.load(contentsOf: try file("plain.yaml", Self.valid))
    let bom = try DefinitionLoader.load(contentsOf: try file("bom.yaml", [0xEF, 0xBB, 0xBF] + Self.valid))
    let crlf = try DefinitionLoader.load(
      contentsOf: try file("crlf.yaml", Array("id: d\r\nvariants: [a, b]\r\n".utf8)))
    #expect(bom.experiment.id == plain.experiment.id && crlf.experiment.id == plain.experiment.id)
    #expect(bom.experiment.variants.map(\.key) == ["a", "b"] && crlf.experiment.variants.map(\.key) == ["a", "b"])
  }
}
