/// One arm of an experiment: the message, offer or experience a unit gets.
///
/// Variants are listed in a fixed order; the order is part of the bucket layout (the first variant's
/// range starts at bucket 0). A factorial design builds its cells as variants too, recording each
/// cell's level of every factor in `factorLevels`.
public struct Variant: Sendable, Hashable {
  /// Stable key written to assignment files (`control`, `reminder_social`).
  public var key: String
  /// Relative weight (any scale: `1, 1, 1` or `50, 25, 25`); only ratios matter.
  public var weight: ExactDecimal
  /// Free text for people (`"Reminder that friends renewed"`).
  public var description: String?
  /// For factorial cells: factor name → level (`["subject": "question", "sender": "coach"]`); empty otherwise.
  public var factorLevels: [String: String]
  /// What the variant delivers to a flag client (`value:`); nil = the key, as text.
  public var value: VariantValue?

  public init(
    key: String, weight: ExactDecimal = 1, description: String? = nil, factorLevels: [String: String] = [:],
    value: VariantValue? = nil
  ) {
    self.key = key
    self.weight = weight
    self.description = description
    self.factorLevels = factorLevels
    self.value = value
  }
}
