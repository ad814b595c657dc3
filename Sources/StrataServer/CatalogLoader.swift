import Crypto
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions

/// Why a set of definitions cannot be served: every problem found, one sentence each
/// (`experiments/gym.yaml:14: segments[1].rule: ...`).
public struct CatalogError: Error, CustomStringConvertible, Sendable {
  public var problems: [String]
  public var description: String { problems.joined(separator: "\n") }
}

/// Reads every `*.yaml` file of a directory into a ``Catalog`` through the same loader as
/// `strata assign` and `strata validate`.
public struct CatalogLoader: Sendable {
  public let directory: URL

  public init(directory: URL) { self.directory = directory }

  /// The definition files, sorted by name, with their bytes.
  func readFiles() throws(CatalogError) -> [(path: String, bytes: [UInt8])] {
    let names: [String]
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder) else {
      throw CatalogError(problems: ["\(directory.path): no such experiments directory"])
    }
    guard isFolder.boolValue else {
      throw CatalogError(problems: [
        "\(directory.path): is a file, not a directory (--experiments names a directory; every *.yaml in it is served)"
      ])
    }
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    } catch {
      throw CatalogError(problems: [
        "\(directory.path): cannot list the experiments directory (\(error.localizedDescription))"
      ])
    }
    var files: [(String, [UInt8])] = []
    for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
      let url = directory.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        continue
      }
      let data: [UInt8]
      do {
        data = try FileBytes.read(url.path)
      } catch {
        throw CatalogError(problems: ["\(url.path):1: \(error.reason)"])
      }
      files.append((url.path, data))
    }
    return files
  }

  /// A fingerprint of the directory's definition files (names and bytes): cheap to compare on every poll.
  func fingerprint() throws(CatalogError) -> (String, [(path: String, bytes: [UInt8])]) {
    let files = try readFiles()
    var digest = SHA256()
    for file in files {
      digest.update(data: Array(file.path.utf8) + [0])
      digest.update(data: file.bytes)
      digest.update(data: [0])
    }
    return (Catalog.hex(digest.finalize()), files)
  }

  /// Loads and validates every definition; throws every problem found (bad files, repeated ids, no
  /// files at all).
  public func load() throws(CatalogError) -> Catalog {
    let (fingerprint, files) = try fingerprint()
    return try build(files, fingerprint: fingerprint)
  }

  func build(_ files: [(path: String, bytes: [UInt8])], fingerprint: String) throws(CatalogError) -> Catalog {
    guard !files.isEmpty else {
      throw CatalogError(problems: ["\(directory.path): no experiment definitions (*.yaml) to serve"])
    }
    var problems: [String] = []
    var entries: [CatalogEntry] = []
    var fileOfID: [String: String] = [:]
    for file in files {
      guard let text = String(validating: file.bytes, as: UTF8.self) else {
        problems.append("\(file.path):1: the file is not UTF-8 text")
        continue
      }
      do throws(ExperimentFileError) {
        let definition = try ExperimentLoader.loadDefinition(yaml: text, file: file.path)
        // The service assigns by hash only, which never chooses a weighted variant without buckets.
        if let problem = definition.onlineAssignmentProblem { throw problem }
        let id = definition.experiment.id
        if let other = fileOfID[id] {
          problems.append("\(file.path):1: id: experiment \"\(id)\" is also defined in \(other)")
          continue
        }
        fileOfID[id] = file.path
        entries.append(
          CatalogEntry(
            experiment: definition.experiment, metrics: definition.metrics, file: file.path,
            definitionHash: Catalog.sha256(file.bytes), yaml: text,
            factorNames: definition.factorialDesign?.factors.map(\.name) ?? [], definition: definition))
      } catch {
        problems.append(error.description)
      }
    }
    guard problems.isEmpty else { throw CatalogError(problems: problems) }
    return Catalog(entries: entries, sourceFingerprint: fingerprint)
  }
}
