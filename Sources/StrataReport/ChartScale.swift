import Foundation
import StrataStats

/// The value axis the forest plot, the lift chart and the interaction plot share: round bounds and tick labels.
enum ChartScale {
  /// An axis from `low` to `high`, widened by 6% of its span at either end and then out to whole steps of
  /// about a `divisions`-th of the widened span.
  ///
  /// Only a range of zero width (every value 0) is widened by a fixed 10⁻⁹: a fixed floor on the padding drew
  /// every mark of data around 10⁻¹⁵⁶ at 0, on an axis a billion billion times wider than the data.
  static func axis(low: Double, high: Double, divisions: Double) -> (low: Double, high: Double, step: Double) {
    let pad = high - low > 0 ? (high - low) * 0.06 : 1e-9
    let (padded, paddedHigh) = (low - pad, high + pad)
    let step = niceStep((paddedHigh - padded) / divisions)
    return ((padded / step).rounded(.down) * step, (paddedHigh / step).rounded(.up) * step, step)
  }

  /// 1, 2 or 5 × 10ᵏ, the first at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
    return 10 * magnitude
  }

  /// Whether ticks `step` apart are written in exponent form (a step of 10¹⁵ or more, or below 10⁻⁶) rather than
  /// as a string of digits or zeros, as `NumberText.number` writes the values.
  static func exponentForm(_ step: Double) -> Bool { step >= 1e15 || step < 1e-6 }

  /// The decimals a tick `step` apart needs (none from 1 up).
  static func decimals(_ step: Double) -> Int { step >= 1 ? 0 : Int((-log10(step)).rounded(.up)) }

  /// A tick on a difference's axis, with its sign (`+2e+91`, `−5e-157`, `+0.5`, `−20`; 0 unsigned).
  static func differenceLabel(_ value: Double, _ step: Double) -> String {
    let shown = abs(value) < step / 1000 ? 0 : value
    let text =
      exponentForm(step)
      ? (shown == 0 ? "0" : String(format: "%g", shown)) : FixedDecimals.format(shown, digits: decimals(step))
    return text.hasPrefix("-") ? "−" + text.dropFirst() : (value > step / 1000 ? "+" + text : text)
  }

  /// A tick on a level's axis (a mean or a rate), without a sign of its own.
  static func levelLabel(_ value: Double, _ step: Double) -> String {
    guard exponentForm(step) else { return String(format: "%.\(decimals(step))f", value) }
    return abs(value) < step / 1000 ? "0" : String(format: "%g", value)
  }
}
