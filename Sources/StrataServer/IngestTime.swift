import Foundation

/// A UTC instant to the millisecond: when an exposure or event happened.
///
/// Requests give RFC 3339 text with a time zone (`2026-12-03T10:15:00Z`, `2026-12-03T11:15:00.250+01:00`);
/// stores keep `YYYY-MM-DD HH:MM:SS.SSS` in UTC (SQLite compares it as text and reads it with its date
/// functions; PostgreSQL casts it to `TIMESTAMP`). Finer fractions are truncated to the millisecond.
public struct IngestTime: Sendable, Hashable, Comparable {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var milliseconds: Int64

  public init(milliseconds: Int64) { self.milliseconds = milliseconds }

  public init(_ date: Date) { milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

  public static func < (lhs: IngestTime, rhs: IngestTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

  /// Reads RFC 3339 text; nil with the reason when it is not.
  static func parse(_ text: String) -> Result<IngestTime, IngestTimeError> {
    let bytes = Array(text.utf8)
    var offset = 0
    func digits(_ count: Int) -> Int? {
      guard offset + count <= bytes.count else { return nil }
      var value = 0
      for byte in bytes[offset..<offset + count] {
        guard (0x30...0x39).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
      }
      offset += count
      return value
    }
    func expect(_ characters: String) -> Bool {
      guard offset < bytes.count, characters.utf8.contains(bytes[offset]) else { return false }
      offset += 1
      return true
    }
    let shape = IngestTimeError.shape
    guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
      expect("Tt "), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2)
    else { return .failure(shape) }
    var millisecond = 0
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      offset += 1
      var places = 0
      while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) {
        if places < 3 { millisecond = millisecond * 10 + Int(bytes[offset] - 0x30) }
        places += 1
        offset += 1
      }
      guard places > 0 else { return .failure(shape) }
      for _ in places..<max(places, 3) { millisecond *= 10 }
    }
    var zoneMinutes = 0
    if expect("Zz") {
    } else if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
      let sign = bytes[offset] == UInt8(ascii: "-") ? -1 : 1
      offset += 1
      guard let zoneHours = digits(2), expect(":"), let zoneRest = digits(2), zoneHours < 24, zoneRest < 60 else {
        return .failure(shape)
      }
      zoneMinutes = sign * (zoneHours * 60 + zoneRest)
    } else if offset == bytes.count {
      return .failure(.noZone)
    } else {
      return .failure(shape)
    }
    guard offset == bytes.count else { return .failure(shape) }
    guard year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24,
      minute < 60, second < 60
    else { return .failure(.outOfRange) }
    let days = Int64(daysFromCivil(year: year, month: month, day: day))
    let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes * 60)
    return .success(IngestTime(milliseconds: seconds * 1000 + Int64(millisecond)))
  }

  /// `YYYY-MM-DD HH:MM:SS.SSS`, UTC.
  ///
  /// Written digit by digit into one buffer (every stored row needs it); a year outside 0–9999 as text, all its
  /// digits.
  public var text: String {
    let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    let millisecond = Int(milliseconds - seconds * 1000)
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let inDay = Int(seconds - days * 86_400)
    let (year, month, day) = IngestTime.civil(fromDays: Int(days))
    guard (0...9999).contains(year) else {
      func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
      }
      return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(inDay / 3600, 2)):\(pad(inDay / 60 % 60, 2)):"
        + "\(pad(inDay % 60, 2)).\(pad(millisecond, 3))"
    }
    return String(unsafeUninitializedCapacity: 23) { buffer in
      func put(_ value: Int, _ width: Int, at offset: Int) {
        var rest = value
        for position in stride(from: offset + width - 1, through: offset, by: -1) {
          buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
          rest /= 10
        }
      }
      put(year, 4, at: 0)
      buffer[4] = UInt8(ascii: "-")
      put(month, 2, at: 5)
      buffer[7] = UInt8(ascii: "-")
      put(day, 2, at: 8)
      buffer[10] = UInt8(ascii: " ")
      put(inDay / 3600, 2, at: 11)
      buffer[13] = UInt8(ascii: ":")
      put(inDay / 60 % 60, 2, at: 14)
      buffer[16] = UInt8(ascii: ":")
      put(inDay % 60, 2, at: 17)
      buffer[19] = UInt8(ascii: ".")
      put(millisecond, 3, at: 20)
      return 23
    }
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date.
  ///
  /// Howard Hinnant's `days_from_civil`.
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The date of a day number since 1970-01-01.
  ///
  /// Howard Hinnant's `civil_from_days`.
  static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}

/// Why a `time` is not accepted.
enum IngestTimeError: Error, CustomStringConvertible {
  case shape, noZone, outOfRange

  var description: String {
    switch self {
    case .shape: return "expected RFC 3339 text such as 2026-12-03T10:15:00Z or 2026-12-03T11:15:00.250+01:00"
    case .noZone: return "needs a time zone (Z for UTC, or an offset such as +01:00)"
    case .outOfRange: return "is not a valid date and time from 1970 on"
    }
  }
}
