import Foundation
import StrataStats

/// What the guard did with a look's record, for the line that says which look was recorded and how to replace
/// or undo it.
public struct LookOutcome: Sendable, Hashable {
  public enum Action: String, Sendable, Hashable {
    /// A new look was added to the store.
    case recorded
    /// `--look K` named the latest look: its record was replaced by this data's.
    case replaced
    /// The store already held this data (same fingerprint) as this look: nothing was written.
    case reused
    /// No store (`--no-look-log`), or recording was off.
    case notRecorded = "not_recorded"
  }

  /// The look number of this run.
  public var look: Int
  public var action: Action
  /// The store's location (the look log path), nil without a store.
  public var location: String?
  /// The record this look replaced (`replaced`) or matched (`reused`).
  public var earlier: LookRecord?
  /// Sentences the user should see (a look with fewer units than the one before).
  public var warnings: [String]

  public init(look: Int, action: Action, location: String?, earlier: LookRecord?, warnings: [String]) {
    self.look = look
    self.action = action
    self.location = location
    self.earlier = earlier
    self.warnings = warnings
  }
}

extension SequentialGuard {
  /// Which look this run is, whether its data is already stored, and whether it replaces the latest look.
  struct LookChoice {
    var number: Int
    var reused: Bool
    var replaces: Bool
    var earlier: LookRecord?
    var note: String
  }

  /// Picks the look number.
  ///
  /// `--look K` (the next look, or the latest one to replace it), else the look that already holds this
  /// data, else the one after the latest. Looks past the plan's bound, and replacing a look
  /// that is not the latest, are refused.
  func chooseLook(stored: [LookRecord], fingerprint: String) throws -> LookChoice {
    let maximum = Self.maximumLook(plan)
    let where_ = log?.location ?? "the look log"
    if let latest = stored.last, latest.look > maximum {
      throw LookStoreError(
        location: where_,
        message:
          "holds look \(latest.look), beyond the largest this plan allows (\(maximum): its \(plan.looks) looks + "
          + "\(Self.unplannedLookMargin) unplanned)", hint: .dropLooks)
    }
    let latest = stored.last
    let sameData = stored.last { $0.fingerprint == fingerprint }
    if let look {
      guard (1...maximum).contains(look) else {
        throw StatsError.invalidInput(
          field: "look",
          message:
            "must be between 1 and \(maximum) (the plan's \(plan.looks) looks + \(Self.unplannedLookMargin) "
            + "unplanned), got \(look)")
      }
      if sameData?.look == look, let sameData {
        return LookChoice(
          number: look, reused: true, replaces: false, earlier: sameData,
          note:
            "Look \(look) given explicitly: the same data as look \(look) recorded \(sameData.timestamp), so no "
            + "new look was recorded.")
      }
      if let latest, look < latest.look {
        throw LookStoreError(
          location: where_,
          message:
            "look \(look) is not the latest look (\(latest.look)); only the latest look can be replaced",
          hint: .dropLooks)
      }
      if let latest, look == latest.look {
        return LookChoice(
          number: look, reused: false, replaces: true, earlier: latest,
          note: "Look \(look) given explicitly: replaces look \(look) recorded \(latest.timestamp) (corrected data).")
      }
      return LookChoice(
        number: look, reused: false, replaces: false, earlier: nil, note: "Look \(look) given explicitly.")
    }
    if let sameData {
      return LookChoice(
        number: sameData.look, reused: true, replaces: false, earlier: sameData,
        note:
          "Look \(sameData.look): the same data as look \(sameData.look) recorded \(sameData.timestamp), so no "
          + "new look was recorded.")
    }
    let number = (latest?.look ?? 0) + 1
    guard number <= maximum else {
      throw LookStoreError(
        location: where_,
        message:
          "this would be look \(number), beyond the largest this plan allows (\(maximum))",
        hint: .replaceLatestLook(number - 1))
    }
    return LookChoice(
      number: number, reused: false, replaces: false, earlier: nil,
      note: log == nil
        ? "Look 1 (no look log, so a later look needs its number given explicitly)." : "Look \(number), new data.")
  }

  /// A warning when look `number` counts fewer units than `prior`: looks are cumulative, so fewer units usually
  /// means incomplete or differently filtered data.
  static func fewerUnits(_ number: Int, _ units: [String: Int], than prior: LookRecord) -> String? {
    let now = units.values.reduce(0, &+)
    let before = prior.unitsPerVariant.values.reduce(0, &+)
    guard now < before else { return nil }
    return
      "look \(number) has \(now) units, fewer than the \(before) of look \(prior.look); looks are cumulative, so "
      + "check that this data is complete and filtered as before."
  }
}
