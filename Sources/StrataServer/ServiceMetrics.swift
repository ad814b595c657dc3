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
  /// Each route's latency histogram and request counters by status, once made (the registry's own lookup builds the
  /// metric's name and label text on every call), found with one hash of the route per request.
  private let requestMetrics = Mutex([String: RouteMetrics]())

  private struct RouteMetrics {
    var histogram: DurationHistogram
    /// By status; a route answers with a handful of statuses, so a list is searched faster than a table is hashed.
    var counters: [(status: Int, counter: Counter)] = []
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
    let (histogram, counter) = requestMetrics.withLock { routes -> (DurationHistogram?, Counter?) in
      guard let metrics = routes[route] else { return (nil, nil) }
      return (metrics.histogram, metrics.counters.first { $0.status == status }?.counter)
    }
    if let histogram, let counter {
      counter.increment()
      histogram.record(duration)
      return
    }
    let made = makeMetrics(route: route, status: status)
    made.counter.increment()
    made.histogram.record(duration)
  }

  /// A route's histogram and its counter for `status`, made (and kept) when missing.
  private func makeMetrics(route: String, status: Int) -> (histogram: DurationHistogram, counter: Counter) {
    // The registry returns the same metric for the same name and labels, so a race between two first requests
    // makes one metric, not two.
    let histogram = registry.makeDurationHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "http", metricName: "request_duration", unitName: "seconds",
        helpText: "Server time per request, by route"),
      labels: [("route", route)], buckets: latencyBuckets)
    let counter = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "strata", subsystem: "http", metricName: "requests", unitName: "total",
        helpText: "HTTP requests by route and status"),
      labels: [("route", route), ("status", String(status))])
    requestMetrics.withLock { routes in
      var metrics = routes[route] ?? RouteMetrics(histogram: histogram)
      if !metrics.counters.contains(where: { $0.status == status }) { metrics.counters.append((status, counter)) }
      routes[route] = metrics
    }
    return (histogram, counter)
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
        helpText: "Reloads of the experiments directory, by result (ok, rejected, held_back)"),
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
          + "out_of_step, not_finite, continued)"),
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
