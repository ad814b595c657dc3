import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A swift-log handler writing one JSON object per line to standard error: `time`, `level`, `label`, `message` and
/// the metadata as string members.
///
/// Lines are written whole (one `write` each), so lines from concurrent requests never interleave.
public struct JSONLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level
  public let label: String
  private let sink: @Sendable ([UInt8]) -> Void

  public init(
    label: String, level: Logger.Level = .info,
    sink: @escaping @Sendable ([UInt8]) -> Void = JSONLogHandler.standardError
  ) {
    self.label = label
    self.logLevel = level
    self.sink = sink
  }

  public static let standardError: @Sendable ([UInt8]) -> Void = { bytes in
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let explicit = event.metadata
    let level = event.level
    let message = event.message
    var members: [(String, JSON)] = [
      ("time", .string(JSONLogHandler.now())), ("level", .string(level.rawValue)), ("label", .string(label)),
      ("message", .string(message.description)),
    ]
    let merged = metadata.merging(explicit ?? [:]) { _, new in new }
    for key in merged.keys.sorted() {
      if let value = merged[key] { members.append((key, JSONLogHandler.json(value))) }
    }
    var bytes: [UInt8] = []
    JSON.object(members).write(to: &bytes)
    bytes.append(0x0A)
    sink(bytes)
  }

  static func json(_ value: Logger.Metadata.Value) -> JSON {
    switch value {
    case .string(let text): return .string(text)
    case .stringConvertible(let convertible): return .string(convertible.description)
    case .array(let items): return .array(items.map(json))
    case .dictionary(let dictionary): return .object(dictionary.keys.sorted().map { ($0, json(dictionary[$0] ?? "")) })
    }
  }

  static func now() -> String {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    var seconds = time_t(time.tv_sec)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(time.tv_nsec / 1_000_000), 3))Z"
  }
}
