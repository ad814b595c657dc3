import Crypto
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDefinitions

/// One experiment definition as the service serves it: the validated experiment, the file it came
/// from and the SHA-256 of that file's bytes (the definition hash returned with every assignment).
///
/// A class (immutable), so that looking an entry up for a request shares it instead of copying its fields.
public final class CatalogEntry: Sendable {
  public let experiment: Experiment
  /// The definition's metrics (events name them).
  public let metrics: [Metric]
  /// The file's path as found in the experiments directory.
  public let file: String
  /// Lowercase hex SHA-256 of the file's bytes.
  public let definitionHash: String
  /// The file's text, as loaded (recorded in the database's catalog).
  public let yaml: String
  /// A factorial experiment's factor names, in design order (empty otherwise).
  public let factorNames: [String]
  /// The whole definition (metrics, plan, factorial design), for the live results.
  public let definition: ExperimentDefinition

  init(
    experiment: Experiment, metrics: [Metric], file: String, definitionHash: String, yaml: String,
    factorNames: [String], definition: ExperimentDefinition
  ) {
    self.experiment = experiment
    self.metrics = metrics
    self.file = file
    self.definitionHash = definitionHash
    self.yaml = yaml
    self.factorNames = factorNames
    self.definition = definition
  }

  /// The analysis plan of the live results: the one `strata analyze` builds from the same file.
  public var analysisPlan: AnalysisPlan {
    var plan = AnalysisPlan(definition: definition)
    plan.factorialDesign = definition.factorialDesign
    return plan
  }

  /// The kind of value every variant delivers; nil when no variant has a `value:` (then the value is
  /// the variant key, as text).
  public var valueKind: VariantValue.Kind? { experiment.variants.first?.value?.kind }

  /// The value a flag client receives for a variant.
  public func value(ofVariant index: Int) -> JSON {
    let variant = experiment.variants[index]
    return variant.value.map(JSON.init) ?? .string(variant.key)
  }
}

/// Every definition loaded from the experiments directory at one moment.
///
/// Immutable: a reload builds a new catalog and swaps it in whole, so each request sees one consistent version.
public struct Catalog: Sendable {
  /// Entries in experiment id order.
  public let entries: [CatalogEntry]
  /// Entry index by experiment id.
  private let index: [String: Int]
  /// Lowercase hex SHA-256 over every entry's `id NUL definition-hash LF`, in id order: the catalog's version.
  ///
  /// Any change to any definition (or a file added or removed) changes it.
  public let etag: String
  /// SHA-256 over file names and bytes (including files that failed): what the watcher compares.
  let sourceFingerprint: String
  public let loadedAt: Date
  /// Every metric name of every experiment, and whether any experiment reads it as a 0/1 metric (then its events
  /// must have value 0 or 1).
  let metrics: [String: Bool]

  init(entries: [CatalogEntry], sourceFingerprint: String, loadedAt: Date = Date()) {
    self.entries = entries.sorted { $0.experiment.id < $1.experiment.id }
    var index: [String: Int] = [:]
    for (position, entry) in self.entries.enumerated() { index[entry.experiment.id] = position }
    self.index = index
    var digest = SHA256()
    for entry in self.entries {
      digest.update(data: Array(entry.experiment.id.utf8) + [0] + Array(entry.definitionHash.utf8) + [0x0A])
    }
    self.etag = Catalog.hex(digest.finalize())
    self.sourceFingerprint = sourceFingerprint
    self.loadedAt = loadedAt
    var metrics: [String: Bool] = [:]
    for entry in self.entries {
      for metric in entry.metrics {
        for event in metric.eventNames {
          metrics[event.name] = (metrics[event.name] ?? false) || event.binomial
        }
      }
    }
    self.metrics = metrics
  }

  /// The entry for an experiment id (a flag key).
  public subscript(id: String) -> CatalogEntry? { index[id].map { entries[$0] } }

  static func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var bytes: [UInt8] = []
    for byte in digest {
      bytes.append(digits[Int(byte >> 4)])
      bytes.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Lowercase hex SHA-256 of bytes.
  static func sha256<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    hex(SHA256.hash(data: Array(bytes)))
  }
}
