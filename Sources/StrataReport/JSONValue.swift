/// A JSON value with ordered object keys, for output that people and scripts both read.
///
/// Numbers print at full double precision in their shortest round-trip form (`8.089055620722685e-207`);
/// a non-finite number (which JSON cannot hold) prints as `null`, and the caller says why in a `notes` list.
public indirect enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case integer(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }
  public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }

  /// A number, or `null` when it is NaN or infinite.
  public static func finite(_ x: Double?) -> JSONValue {
    guard let x, x.isFinite else { return .null }
    return .number(x)
  }

  /// Serializes compactly (`pretty == false`) or with two-space indentation.
  public func serialized(pretty: Bool = true) -> String {
    var out = JSONByteWriter()
    write(to: &out, pretty: pretty, indent: 0)
    return out.text
  }

  /// Serializes into UTF-8 chunks handed to `emit`, so a large document is never held in memory whole.
  ///
  /// Chunks are about `chunkSize` bytes (the last one possibly shorter); the bytes are `serialized(pretty:)`'s. A
  /// chunk is the writer's buffer, valid only during the call to `emit` (copy what must outlive it).
  public func write(pretty: Bool = true, chunkSize: Int = 1 << 16, to emit: (UnsafeBufferPointer<UInt8>) -> Void) {
    withoutActuallyEscaping(emit) { emit in
      var out = JSONByteWriter(chunkSize: chunkSize, emit: emit)
      write(to: &out, pretty: pretty, indent: 0)
      out.finish()
    }
  }

  func write(to out: inout JSONByteWriter, pretty: Bool, indent: Int) {
    switch self {
    case .null: out.appendNull()
    case .bool(let b): out.append(b ? "true" as StaticString : "false")
    case .integer(let i): out.appendInteger(Int64(i))
    case .number(let x): out.appendNumber(x)
    case .string(let s): out.appendQuoted(s)
    case .array(let items):
      out.writeArray(items, pretty: pretty, indent: indent) { item, out in
        item.write(to: &out, pretty: pretty, indent: indent + 1)
      }
    case .object(let members):
      Self.writeObject(members, to: &out, pretty: pretty, indent: indent) { value, out, indent in
        value.write(to: &out, pretty: pretty, indent: indent)
      }
    }
  }

  /// Writes an object's members, each value by `writeValue` (at the members' indent).
  static func writeObject<Value>(
    _ members: [(String, Value)], to out: inout JSONByteWriter, pretty: Bool, indent: Int,
    writeValue: (Value, inout JSONByteWriter, Int) -> Void
  ) {
    if members.isEmpty { out.append("{}" as StaticString); return }
    out.append(UInt8(ascii: "{"))
    for (i, (key, value)) in members.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      if pretty { out.newline(indent: indent + 1) }
      out.appendQuoted(key)
      out.append(pretty ? ": " as StaticString : ":")
      writeValue(value, &out, indent + 1)
      out.flushIfFull()
    }
    if pretty { out.newline(indent: indent) }
    out.append(UInt8(ascii: "}"))
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .integer(value) }
}
