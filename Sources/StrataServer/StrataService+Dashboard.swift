import Foundation
import Hummingbird
import StrataAnalysis

/// `GET /` (viewer): the dashboard (``DashboardPage``), built from the live results of every experiment in the
/// catalog (``live(id:recording:look:)``, never a look), what the store holds per variant, and the consent and audit
/// state (the audit chain verified on every view).
extension StrataService {
  static let dashboardRoles: Set<APIKeyRole> = [.viewer]

  func dashboard(_ request: Request) async -> Response {
    if let denied = admit(request, roles: StrataService.dashboardRoles, api: .native) { return denied }
    let catalog = self.catalog
    let erased = try? await store.erasedExposures()
    var experiments: [DashboardPage.Experiment] = []
    for entry in catalog.entries {
      experiments.append(await dashboardExperiment(entry, erased: erased?[entry.experiment.id] ?? [:]))
    }
    let page = DashboardPage(
      experiments: experiments, consent: await dashboardConsent(erased: erased), catalogETag: catalog.etag,
      generatedAt: timestamp(), backend: store.backend)
    return Response(
      status: .ok,
      headers: [
        .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      ],
      body: ResponseBody(byteBuffer: ByteBuffer(string: page.render())))
  }

  /// One experiment's row and section.
  func dashboardExperiment(_ entry: CatalogEntry, erased: [String: Int]) async -> DashboardPage.Experiment {
    let id = entry.experiment.id
    let plan = entry.analysisPlan
    // From the running totals (a few rows); while they are being built, counted from the stored rows.
    var activity: [VariantActivity]?
    if let live = store as? any LiveTotalsStore, let livePlan = livePlans().byExperiment[id], livePlan.plan == plan {
      activity = try? await live.liveActivity(livePlan)
    }
    if activity == nil {
      activity = try? await store.variantActivity(experiment: id, metrics: entry.metrics.map(\.name))
    }
    let looks = (try? await store.looks(experiment: id)) ?? []
    let state: DashboardPage.Experiment.State
    switch await live(id: id, recording: false, look: nil) {
    case .success(let live): state = .analysed(live.analysis)
    case .failure(let failure) where failure.code == "no_data": state = .waiting
    case .failure(let failure) where failure.status == .serviceUnavailable: state = .unavailable(failure.message)
    case .failure(let failure): state = .notAnalysable(failure.message)
    }
    return DashboardPage.Experiment(
      id: id, name: plan.name.isEmpty ? id : plan.name,
      variants: plan.variants.map { ($0, plan.variantDescriptions[$0]) }, activity: activity, erased: erased,
      plannedLooks: plan.looks, looks: looks, state: state)
  }

  /// Consent counts and the audit chain, verified.
  func dashboardConsent(erased: [String: [String: Int]]?) async -> DashboardPage.Consent {
    let audit: DashboardPage.Consent.Audit
    do {
      let log = try await store.auditLog()
      audit = .verified(AuditChain.verify(log.records, head: log.head))
    } catch {
      logger.error("dashboard: audit log unreadable", metadata: ["error": "\(String(reflecting: error))"])
      audit = .unavailable("the database did not answer")
    }
    let erasedUnits = erased?.values.reduce(0) { $0 + $1.values.reduce(0, +) } ?? 0
    return DashboardPage.Consent(
      withdrawnUnits: consent.refusedCount, refused: (try? await store.refusedCounts()) ?? [], erasedUnits: erasedUnits,
      audit: audit)
  }
}
