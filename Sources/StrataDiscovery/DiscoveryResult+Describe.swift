import StrataStats

extension DiscoveryResult {
  /// What the principal components did, in one sentence; nil when the clustering read the scaled features.
  public var principalComponentsSentence: String? {
    guard let pca = principalComponents else { return nil }
    let asked = pca.requestedShare.map { "; asked for more than \(percent($0))" } ?? ""
    return "Clustered on the first \(pca.count) of \(pca.axes.count) principal components of the scaled features "
      + "(\(percent(pca.explainedShare)) of their variance\(asked)); each frozen centroid is its cluster's mean "
      + "score mapped back to the features, so the frozen rule ranks the centroids as the components do."
  }

  /// How often the frozen rule agrees with the clustering on the discovery units, in one sentence.
  public var ruleAgreementSentence: String {
    let agreeing = Int((ruleAgreement * Double(clusteredCount)).rounded())
    var sentence =
      "The frozen nearest-centroid rule places \(agreeing) of the \(clusteredCount) clustered discovery units "
      + "(\(percent(ruleAgreement))) in the segment the clustering gave them"
    if agreeing < clusteredCount {
      sentence +=
        methodName == "Ward"
        ? "; the others lie near a boundary Ward's tree draws differently from the nearest cluster mean"
        : methodName.hasPrefix("k-means (categorical")
          ? "; the others lie near a boundary: one-hot k-means weighs level shares, the rule each segment's mode"
          : "; the others lie near a boundary (k-means stopped when its centres moved less than the tolerance)"
    }
    return sentence + "."
  }

  private func percent(_ share: Double) -> String {
    let text = NumberText.number(share * 100, digits: 1)
    return text + "%"
  }
}
