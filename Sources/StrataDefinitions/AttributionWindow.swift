/// How long after a unit's first exposure its events count towards a metric (`window: 30d`).
///
/// Written as a whole number followed by a unit: `d` (days), `h` (hours) or `m` (minutes), e.g. `30d`,
/// `36h`, `90m`. An event counts when `exposed_at ≤ time < exposed_at + window`. Between one minute and ten
/// years (3650 days), so the window always fits the interval arithmetic of every SQL dialect.
public struct AttributionWindow: Sendable, Hashable, CustomStringConvertible {
  /// The window's length in seconds.
  public let seconds: Int
  /// The window as written (`30d`).
  public let description: String

  /// The longest window accepted: ten years.
  public static let maximumSeconds = 3650 * 86_400

  /// Parses `30d`, `36h` or `90m`; nil for anything else or a length outside one minute … ten years.
  public init?(_ text: String) {
    guard let unit = text.last, let count = Int(text.dropLast()), text.dropLast().allSatisfy(\.isASCIIDigit) else {
      return nil
    }
    let scale: Int
    switch unit {
    case "d": scale = 86_400
    case "h": scale = 3_600
    case "m": scale = 60
    default: return nil
    }
    guard count > 0, count <= Self.maximumSeconds / scale else { return nil }
    seconds = count * scale
    description = text
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
