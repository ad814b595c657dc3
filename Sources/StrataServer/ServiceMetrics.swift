import Prometheus
import StrataAssignment
import Synchronization

/// The service's Prometheus metrics (`GET /metrics`): requests and their latency by route and status,
/// evaluations by Strata reason, definition reloads by result, and the catalog's size.
public final class ServiceMetrics: Sendable {
  public let registry = PrometheusCollectorRegistry()
  private let evaluations: [AssignmentReason: Counter]
  private let latencyBuckets: [Duration] = [
    .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
    .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1),
  ]
  private let definitions: Gauge
  /// The request counters by route and status, and latency histograms by route, once made: the registry's own
  /// lookup builds the metric's name and label text on every call.
  private let requestMetrics = Mutex(RequestMetrics())

  private struct RouteStatus: Hashable {
    var route: String
    var status: Int
  }

  private struct RequestMetrics {
    var counters: [RouteStatus: Counter] = [:]
    var histograms: [String: DurationHistogram] = [:]
  }

  public init() {
    var evaluations: [AssignmentReason: Counter] = [:]
    let descriptor = MetricNameDescriptor(
      namespace: "strata", metricName: "evaluations", unitName: "total",
      helpText: "Assignments evaluated, by Strata reason (assigned, no_consent, not_eligible, holdout, layer, traffic)")
    for reason in AssignmentReason.allCases where reason != .stratified {
      evaluations[reason] = registry.makeCounter(descriptor: descriptor, labels: [("reason", reason.rawValue)])
    }
    self.evaluations = evaluations
    definitions = registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "strata", metricName: "definitions", unitName: "loaded",
        helpText: "Experiment definitions in the catalog being served"))
  }

  /// Counts one request and records its latency.
  public func request(route: String, status: Int, duration: Duration) {
    let key = RouteStatus(route: route, status: status)
    let (counter, histogram) = requestMetrics.withLock { metrics in
      (metrics.counters[key], metrics.histograms[route])
    }
    (counter ?? makeCounter(key)).increment()
    (histogram ?? makeHistogram(route)).record(duration)
  }

  private func makeCounter(_ key: RouteStatus) -> Counter {
    let counter = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "http", metricName: "requests", unitName: "total",
        helpText: "HTTP requests by route and status"),
      labels: [("route", key.route), ("status", String(key.status))])
    requestMetrics.withLock { $0.counters[key] = counter }
    return counter
  }

  private func makeHistogram(_ route: String) -> DurationHistogram {
    let histogram = registry.makeDurationHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "http", metricName: "request_duration", unitName: "seconds",
        helpText: "Server time per request, by route"),
      labels: [("route", route)], buckets: latencyBuckets)
    requestMetrics.withLock { $0.histograms[route] = histogram }
    return histogram
  }

  /// Counts one evaluation.
  public func evaluation(_ reason: AssignmentReason) {
    evaluations[reason]?.increment()
  }

  /// Counts a reload attempt (`ok` or `rejected`).
  public func reload(_ result: String) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "strata", metricName: "definition_reloads", unitName: "total",
        helpText: "Reloads of the experiments directory, by result (ok, rejected)"),
      labels: [("result", result)]
    ).increment()
  }

  /// Counts ingested items of a batch (`exposures` or `events`) by outcome.
  public func ingested(_ kind: String, stored: Int, duplicates: Int, refused: Int) {
    for (outcome, count) in [("stored", stored), ("duplicate", duplicates), ("refused_no_consent", refused)]
    where count > 0 {
      registry.makeCounter(
        descriptor: MetricNameDescriptor(
          namespace: "strata", metricName: "ingested_items", unitName: "total",
          helpText: "Exposures and events received, by kind and outcome (stored, duplicate, refused_no_consent)"),
        labels: [("kind", kind), ("outcome", outcome)]
      ).increment(by: Int64(count))
    }
  }

  /// Counts an experiment's live totals build started or carried on, by reason (``LiveTotalsPass/started``, or
  /// `continued`).
  func liveTotalsBuild(_ reason: String) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "live_totals", metricName: "builds", unitName: "total",
        helpText: "Builds of the live results' running totals, by reason (missing, plan_changed, outside_writes, "
          + "out_of_step, continued)"),
      labels: [("reason", reason)]
    ).increment()
  }

  /// Records the catalog's size.
  public func catalog(_ catalog: Catalog) {
    definitions.set(to: Double(catalog.entries.count))
  }

  /// The exposition text.
  public func render() -> [UInt8] { registry.emitToBuffer() }
}
