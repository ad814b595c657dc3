import Prometheus

/// Consent metrics: changes recorded (`strata_consent_changes_total{change}`); items refused because their unit
/// withdrew consent are counted with ingestion (`strata_ingested_items_total{outcome="refused_no_consent"}`).
extension ServiceMetrics {
  /// Counts one recorded consent change.
  public func consentChange(granted: Bool) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "consent", metricName: "changes", unitName: "total",
        helpText: "Consent changes recorded, by change (granted, withdrawn)"),
      labels: [("change", granted ? "granted" : "withdrawn")]
    ).increment()
  }
}
