import Hummingbird
import Logging
import NIOCore

extension StrataService {
  static let flagPathPrefix = "/ofrep/v1/evaluate/flags/"

  /// Every route of the service.
  public func router() -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestMiddleware(metrics: metrics, logger: logger, timeout: configuration.requestTimeout))
    router.post("/ofrep/v1/evaluate/flags/{key}") { request, context in
      await self.evaluateFlag(request, key: context.parameters.get("key") ?? "")
    }
    router.post("/ofrep/v1/evaluate/flags") { request, _ in await self.evaluateFlags(request) }
    router.post("/v1/assign") { request, _ in await self.assign(request) }
    router.post("/v1/exposures") { request, _ in await self.ingestExposures(request) }
    router.post("/v1/events") { request, _ in await self.ingestEvents(request) }
    router.get("/v1/experiments") { request, _ in self.experiments(request) }
    router.post("/v1/consent") { request, _ in await self.recordConsent(request) }
    router.post("/v1/erasure") { request, _ in await self.erase(request) }
    router.get("/v1/experiments/{id}") { request, context in
      self.experiment(request, id: context.parameters.get("id") ?? "")
    }
    router.get("/v1/experiments/{id}/results") { request, context in
      await self.results(request, id: context.parameters.get("id") ?? "", format: .json)
    }
    router.get("/v1/experiments/{id}/results.html") { request, context in
      await self.results(request, id: context.parameters.get("id") ?? "", format: .html)
    }
    router.get("/v1/experiments/{id}/results.md") { request, context in
      await self.results(request, id: context.parameters.get("id") ?? "", format: .markdown)
    }
    router.post("/v1/experiments/{id}/looks") { request, context in
      await self.recordLook(request, id: context.parameters.get("id") ?? "")
    }
    router.get("/") { request, _ in await self.dashboard(request) }
    router.get("/healthz") { _, _ in Responses.json(.ok, .object([("status", .string("ok"))])) }
    router.get("/readyz") { _, _ in await self.readiness() }
    router.get("/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.render())))
    }
    router.get("/openapi.yaml") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
    }
    return router
  }

  /// `GET /readyz`: 200 once the store is migrated and answers and a catalog is loaded, else 503.
  func readiness() async -> Response {
    guard isReady.load(ordering: .acquiring) else {
      return Responses.json(.serviceUnavailable, .object([("status", .string("starting"))]))
    }
    do {
      try await store.ping()
    } catch {
      logger.error("database not answering", metadata: ["error": "\(error)"])
      return Responses.json(
        .serviceUnavailable,
        .object([("status", .string("unavailable")), ("reason", .string("database not answering"))]))
    }
    let catalog = self.catalog
    return Responses.json(
      .ok,
      .object([
        ("status", .string("ready")), ("catalog_etag", .string(catalog.etag)),
        ("experiments", .integer(catalog.entries.count)),
      ]))
  }
}
