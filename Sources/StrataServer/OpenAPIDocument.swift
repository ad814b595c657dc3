/// The service's OpenAPI document, served at `/openapi.yaml`: the same text as `openapi.yaml` at the
/// repository's root (written by Scripts/embed-openapi.py; a test keeps them identical).
enum OpenAPIDocument {
  static let text = """
    openapi: 3.1.0
    info:
      title: Strata assignment service
      version: 0.1.0
      description: |
        `strata serve`: deterministic experiment assignment over HTTP, the same results as `strata assign`.

        Two protocols share one catalog of experiment definitions:

        - **OFREP 0.3.0** (OpenFeature Remote Evaluation Protocol) under `/ofrep/v1/`, so any OpenFeature
          SDK with an OFREP provider is a Strata client. Flag key = experiment id, `context.targetingKey` =
          unit id, other context members = unit attributes. Assigned units get `reason: SPLIT`, the variant
          key as `variant` and the variant's `value:` from the definition (its key, as text, when the
          definition gives none). Excluded units get no `value` (use the code default); `metadata.strata_reason`
          says why (no_consent, not_eligible, holdout, layer, traffic), `reason` is TARGETING_MATCH when a
          rule excluded the unit and SPLIT when its hash did, and `variant` is `strata:` plus that reason.
          `metadata` also carries `strata_bucket`, `strata_segment` and `strata_definition_hash`.
        - **The native API** under `/v1/`: many units × experiments per request, the fields of
          `strata assign --json`, and the catalog.

        - **Ingestion** under `/v1/exposures` and `/v1/events`: what units saw and did, stored in the
          event-level schema that `strata sql` reads.

        Authentication: an API key in `X-API-Key` or `Authorization: Bearer`. Roles: `client` (bulk OFREP
        evaluation only), `server` (OFREP evaluation, `/v1/assign`, ingestion), `viewer` (the catalog),
        `admin` (everything). A service started without keys (loopback only) accepts every request.
        Each key has a rate limit; over it, 429 with `Retry-After` in seconds.
      license:
        name: Apache-2.0
        identifier: Apache-2.0
    servers:
      - url: http://127.0.0.1:8080
    security:
      - ApiKeyAuth: []
      - BearerAuth: []
    paths:
      /ofrep/v1/evaluate/flags/{key}:
        post:
          operationId: ofrepEvaluateFlag
          summary: Evaluate one experiment for one unit (OFREP)
          tags: [OFREP]
          description: |
            Roles server and admin. With `expose=true` (or a key made with `strata keys new --expose`) an
            assigned unit's exposure is stored before the answer, as `POST /v1/exposures` stores it, and
            `metadata.strata_exposure` says `stored` (or `refused_no_consent`, or `failed` when the database
            did not take it). Bulk evaluation never logs exposures: a cached bulk answer does not prove the app
            showed anything.
          parameters:
            - name: key
              in: path
              required: true
              description: The experiment id.
              schema:
                type: string
            - name: expose
              in: query
              required: false
              description: Log the unit's exposure (true, false; default the key's setting).
              schema:
                type: string
                enum: ["true", "false", "1", "0"]
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/OfrepEvaluationRequest"
                example:
                  context:
                    targetingKey: M-1001
                    marketing_opt_in: true
                    membership_months: 14
                    status: active
                    checkins_90d: 30
          responses:
            "200":
              description: The unit's evaluation.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/OfrepEvaluationSuccess"
            "400":
              description: The body is not JSON (PARSE_ERROR), lacks context.targetingKey (TARGETING_KEY_MISSING) or has a context the rules cannot read (INVALID_CONTEXT).
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/OfrepEvaluationFailure"
            "401":
              $ref: "#/components/responses/OfrepUnauthorized"
            "403":
              $ref: "#/components/responses/OfrepForbidden"
            "404":
              description: No experiment has this id (FLAG_NOT_FOUND).
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/OfrepFlagNotFound"
            "413":
              $ref: "#/components/responses/OfrepTooLarge"
            "429":
              $ref: "#/components/responses/OfrepRateLimited"
            "500":
              $ref: "#/components/responses/OfrepInternal"
      /ofrep/v1/evaluate/flags:
        post:
          operationId: ofrepEvaluateFlags
          summary: Evaluate every experiment for one unit (OFREP bulk)
          tags: [OFREP]
          description: |
            Roles client, server and admin. The strong ETag covers the catalog version and the context:
            send it back in If-None-Match and an unchanged answer is 304 with no body.
          parameters:
            - name: If-None-Match
              in: header
              required: false
              description: An ETag from an earlier answer for the same context.
              schema:
                type: string
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/OfrepEvaluationRequest"
          responses:
            "200":
              description: Every experiment's evaluation.
              headers:
                ETag:
                  description: Strong validator of this answer.
                  schema:
                    type: string
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/OfrepBulkSuccess"
            "304":
              description: Nothing changed since the ETag in If-None-Match.
              headers:
                ETag:
                  schema:
                    type: string
            "400":
              description: The request as a whole cannot be evaluated.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/OfrepBulkFailure"
            "401":
              $ref: "#/components/responses/OfrepUnauthorized"
            "403":
              $ref: "#/components/responses/OfrepForbidden"
            "413":
              $ref: "#/components/responses/OfrepTooLarge"
            "429":
              $ref: "#/components/responses/OfrepRateLimited"
            "500":
              $ref: "#/components/responses/OfrepInternal"
      /v1/assign:
        post:
          operationId: assign
          summary: Assign one or many units in one or many experiments
          tags: [Native]
          description: |
            Roles server and admin. One unit (`unit`, `attributes`) or a list (`units`); the experiments
            listed (`experiment` or `experiments`), or every experiment of the catalog. Attributes are read
            as `strata assign --attr name=value` reads text. At most 100,000 assignments per request.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/AssignRequest"
                example:
                  experiments: [gym-renewal-2026]
                  units:
                    - unit: M-1001
                      attributes: {marketing_opt_in: true, membership_months: 14, status: active, checkins_90d: 30}
          responses:
            "200":
              description: Assignments, unit by unit, each in the experiments' order.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/AssignResponse"
            "400":
              $ref: "#/components/responses/BadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "413":
              $ref: "#/components/responses/TooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
      /v1/exposures:
        post:
          operationId: ingestExposures
          summary: Store exposures (which unit saw which variant)
          tags: [Ingestion]
          description: |
            Roles server and admin. Up to 1,000 items; every item is checked before anything is written and
            the batch is stored whole or not at all (one transaction, shared with other batches arriving at
            the same time: group commit). A 200 means committed. An item whose `id` is already stored is a
            duplicate and is skipped (a retried batch never counts twice). The variant must be the one the
            current definition assigns the unit (checked with `attributes` when given, else with the unit's
            bucket in `segment`, which one-segment experiments may leave out), unless `definition` names an
            older definition this service served. Per (experiment, unit) the first exposure wins; repeats are
            counted; a unit exposed to two variants is left out of the results and counted there. Units
            without consent are refused and counted. `time` defaults to the server's clock.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/ExposureBatch"
                example:
                  exposures:
                    - id: 7f6c1c2e-1
                      experiment: gym-renewal-2026
                      unit: M-1001
                      variant: reminder_progress
                      segment: high
                      time: "2026-12-03T10:15:00Z"
          responses:
            "200":
              description: The batch is committed; the counts say what was new.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/IngestResponse"
            "400":
              $ref: "#/components/responses/IngestBadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "413":
              $ref: "#/components/responses/IngestTooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /v1/events:
        post:
          operationId: ingestEvents
          summary: Store metric events
          tags: [Ingestion]
          description: |
            Roles server and admin. Up to 1,000 items, all or nothing, as for exposures. `metric` is a metric
            `name:` of an experiment in the catalog (or a ratio's numerator or denominator, or a covariate's
            column); `value` a number between -1e50 and 1e50 (beyond that the results' sums of squares
            overflow), 0 or 1 for a 0/1 metric (a conversion's event has value 1). A
            unit's metric value is the sum of its events after its first exposure and inside the metric's
            `window:` (for a 0/1 metric: 1 if any), and missing without events (the metric's `missing:` says
            whether that counts as 0). A covariate's value (CUPED) is the sum of the events named as its column
            before the first exposure, over the metric's `window:` (without one, every earlier event).
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/EventBatch"
                example:
                  events:
                    - id: 7f6c1c2e-2
                      unit: M-1001
                      metric: renewed
                      value: 1
                      time: "2026-12-10T08:00:00Z"
          responses:
            "200":
              description: The batch is committed; the counts say what was new.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/IngestResponse"
            "400":
              $ref: "#/components/responses/IngestBadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "413":
              $ref: "#/components/responses/IngestTooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /v1/experiments:
        get:
          operationId: listExperiments
          summary: The catalog being served
          tags: [Native]
          description: Roles viewer and admin.
          parameters:
            - name: If-None-Match
              in: header
              required: false
              schema:
                type: string
          responses:
            "200":
              description: Every experiment with its definition hash.
              headers:
                ETag:
                  schema:
                    type: string
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/Catalog"
            "304":
              description: The catalog has not changed.
              headers:
                ETag:
                  schema:
                    type: string
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
      /v1/experiments/{id}:
        get:
          operationId: getExperiment
          summary: One experiment and its definition text
          tags: [Native]
          description: Roles viewer and admin.
          parameters:
            - name: id
              in: path
              required: true
              schema:
                type: string
          responses:
            "200":
              description: The experiment.
              headers:
                ETag:
                  schema:
                    type: string
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/ExperimentDetail"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
      /v1/consent:
        post:
          operationId: recordConsent
          summary: Record a unit's consent change
          tags: [Consent]
          description: |
            Roles server and admin. `granted: false` withdraws consent: from then on the unit is never
            assigned by any path (OFREP single and bulk evaluation, `/v1/assign`: reason `no_consent`,
            OFREP variant `strata:no_consent`), and exposures and events that arrive for it are refused and
            counted. `granted: true` lifts a withdrawal (the experiments' own consent rules still apply).
            Every change appends a record to the hash-chained audit log, where the unit appears only as a
            keyed hash (HMAC-SHA256 with the server's audit key), in the same transaction as the change.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/ConsentRequest"
                example:
                  unit: M-1001
                  granted: false
          responses:
            "200":
              description: The change is recorded (committed) and applies to every request from now on.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/ConsentResponse"
            "400":
              $ref: "#/components/responses/BadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "413":
              $ref: "#/components/responses/TooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/Unavailable"
      /v1/erasure:
        post:
          operationId: eraseUnit
          summary: Erase a unit's stored exposures and events (right to erasure)
          tags: [Consent]
          description: |
            Role admin. Removes the unit's exposures, exposure ids and events in one transaction and says
            which results changed (the experiments and variants the unit was exposed to). What stays: the
            number of units erased per experiment and variant (so results can account for them), the unit's
            consent state and the audit log (both by keyed hash only), and planned looks already recorded.
            By default the unit's consent is withdrawn first (`withdraw_consent: false` keeps it
            assignable), so nothing of it is stored again. Appends an `erasure` record to the audit log.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: "#/components/schemas/ErasureRequest"
                example:
                  unit: M-1001
          responses:
            "200":
              description: The unit's rows are removed (committed).
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/ErasureResponse"
            "400":
              $ref: "#/components/responses/BadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "413":
              $ref: "#/components/responses/TooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/Unavailable"
      /v1/experiments/{id}/results:
        get:
          operationId: experimentResults
          summary: Live results of an experiment (the JSON of strata analyze --json)
          tags: [Results]
          description: |
            Roles viewer and admin. The analysis of the stored exposures and events, computed by the
            database with the results query of `strata sql` and read as `strata analyze` reads it: the same
            JSON as `strata analyze --json`, plus `service` (the view, the look, stored and repeated
            exposures). Viewing is never a look: between planned looks (`service.view` = `interim`) the naive
            p-values of the primary metric are withheld and the always-valid ones shown; data that is a
            recorded look's shows that look's decision (`planned_look`).
          parameters:
            - $ref: "#/components/parameters/ExperimentId"
          responses:
            "200":
              description: The analysis.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/LiveResults"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "409":
              $ref: "#/components/responses/NotAnalysable"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /v1/experiments/{id}/results.html:
        get:
          operationId: experimentResultsHTML
          summary: Live results as the HTML report of strata analyze
          tags: [Results]
          description: Roles viewer and admin. The report `strata analyze --report` writes, for the stored data.
          parameters:
            - $ref: "#/components/parameters/ExperimentId"
          responses:
            "200":
              description: The HTML report (self-contained).
              content:
                text/html:
                  schema:
                    type: string
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "409":
              $ref: "#/components/responses/NotAnalysable"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /v1/experiments/{id}/results.md:
        get:
          operationId: experimentResultsMarkdown
          summary: Live results as the Markdown report of strata analyze
          tags: [Results]
          description: Roles viewer and admin.
          parameters:
            - $ref: "#/components/parameters/ExperimentId"
          responses:
            "200":
              description: The Markdown report.
              content:
                text/markdown:
                  schema:
                    type: string
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "409":
              $ref: "#/components/responses/NotAnalysable"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /v1/experiments/{id}/looks:
        post:
          operationId: recordLook
          summary: Record a planned look
          tags: [Results]
          description: |
            Role admin. Records the stored data as the next planned look of the experiment (in the database's
            look store) and answers with the results at that look: the group-sequential decision. The same
            data again is the same look (nothing added). `{"look": K}` naming the latest look replaces it
            (corrected data).
          parameters:
            - $ref: "#/components/parameters/ExperimentId"
          requestBody:
            required: false
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  properties:
                    look:
                      type: integer
                      minimum: 1
          responses:
            "200":
              description: The results at the recorded look.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/LiveResults"
            "400":
              $ref: "#/components/responses/BadRequest"
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "404":
              $ref: "#/components/responses/NotFound"
            "409":
              $ref: "#/components/responses/NotAnalysable"
            "413":
              $ref: "#/components/responses/TooLarge"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
            "503":
              $ref: "#/components/responses/StoreUnavailable"
      /:
        get:
          operationId: dashboard
          summary: The dashboard page (every experiment's live status)
          tags: [Results]
          description: >-
            Roles viewer and admin. One self-contained HTML page (no script, no external asset): per experiment the
            stored exposures and events per variant, the live decision and the primary metric per segment (the
            analysis of the results endpoint; viewing is never a look), the sample-ratio check, the planned looks
            recorded, then consent counts and the audit chain (verified on every view), with links to the reports
            and JSON endpoints.
          responses:
            "200":
              description: The dashboard (HTML).
              content:
                text/html:
                  schema:
                    type: string
            "401":
              $ref: "#/components/responses/Unauthorized"
            "403":
              $ref: "#/components/responses/Forbidden"
            "429":
              $ref: "#/components/responses/RateLimited"
            "500":
              $ref: "#/components/responses/Internal"
      /healthz:
        get:
          operationId: health
          summary: The process is up
          tags: [Operations]
          security: []
          responses:
            "200":
              description: Alive.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/Status"
      /readyz:
        get:
          operationId: readiness
          summary: Ready to serve (store migrated and answering, catalog loaded)
          tags: [Operations]
          security: []
          responses:
            "200":
              description: Ready.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/Status"
            "503":
              description: Starting, or the database does not answer.
              content:
                application/json:
                  schema:
                    $ref: "#/components/schemas/Status"
      /metrics:
        get:
          operationId: metrics
          summary: Prometheus metrics
          tags: [Operations]
          security: []
          responses:
            "200":
              description: Prometheus text exposition format 0.0.4.
              content:
                text/plain:
                  schema:
                    type: string
      /openapi.yaml:
        get:
          operationId: openapi
          summary: This document
          tags: [Operations]
          security: []
          responses:
            "200":
              description: OpenAPI 3.1 document.
              content:
                application/yaml:
                  schema:
                    type: object
    components:
      parameters:
        ExperimentId:
          name: id
          in: path
          required: true
          description: The experiment id.
          schema:
            type: string
      securitySchemes:
        ApiKeyAuth:
          type: apiKey
          in: header
          name: X-API-Key
        BearerAuth:
          type: http
          scheme: bearer
      securitySchemes:
        ApiKeyAuth:
          type: apiKey
          in: header
          name: X-API-Key
        BearerAuth:
          type: http
          scheme: bearer
      responses:
        OfrepUnauthorized:
          description: No API key, or one that is not valid. Carries a WWW-Authenticate challenge.
          headers:
            WWW-Authenticate:
              schema:
                type: string
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/OfrepGeneralError"
        OfrepForbidden:
          description: The key's role may not use this operation.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/OfrepGeneralError"
        OfrepTooLarge:
          description: The body is larger than the limit (64 KiB).
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/OfrepGeneralError"
        OfrepRateLimited:
          description: The key's rate limit is exceeded.
          headers:
            Retry-After:
              description: Seconds to wait.
              schema:
                type: string
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/OfrepGeneralError"
        OfrepInternal:
          description: An unexpected server error (logged; no details are returned).
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/OfrepGeneralError"
        BadRequest:
          description: The request names a field that is missing or wrong.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        Unauthorized:
          description: No API key, or one that is not valid. Carries a WWW-Authenticate challenge.
          headers:
            WWW-Authenticate:
              schema:
                type: string
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        Forbidden:
          description: The key's role may not use this operation.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        NotFound:
          description: No such experiment.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        TooLarge:
          description: The body is larger than the limit (4 MiB).
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        RateLimited:
          description: The key's rate limit is exceeded.
          headers:
            Retry-After:
              description: Seconds to wait.
              schema:
                type: string
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        Internal:
          description: An unexpected server error (logged; no details are returned).
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        NotAnalysable:
          description: |
            Nothing to analyse yet (no exposures stored, too few units), or a look the plan does not allow.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        IngestBadRequest:
          description: |
            The body is not JSON, or an item is wrong; `error.index` and `error.field` name the first bad item
            and field, and nothing of the batch was stored.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        IngestTooLarge:
          description: More than 1,000 items, or a body over 4 MiB; nothing was stored.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        StoreUnavailable:
          description: >-
            The database did not answer or did not confirm the request (code `store_unavailable`), or the request
            was not answered within --request-timeout (code `timeout`): a batch may or may not have been stored, and
            retrying it is safe (items already stored count as duplicates); a read can be retried.
          headers:
            Retry-After:
              description: Seconds to wait.
              schema:
                type: string
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
        Unavailable:
          description: >-
            Retry (after Retry-After when given): the service is starting (code `starting`); the database did not
            answer or did not confirm the request (code `store_unavailable`: a consent change or an erasure may have
            been made in full, in part or not at all, and repeating it is safe: the same consent again, or the
            removal of whatever is left, each with its own audit record); or the request was not answered within
            --request-timeout (code `timeout`; for a consent change or an erasure with the same sentence: it may or may
            not have been made, and repeating it is safe).
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
      schemas:
        OfrepEvaluationRequest:
          type: object
          required: [context]
          properties:
            context:
              type: object
              required: [targetingKey]
              properties:
                targetingKey:
                  type: string
                  minLength: 1
                  description: The unit id.
              additionalProperties: true
              description: The unit id and its attributes.
        OfrepMetadata:
          type: object
          additionalProperties:
            type: [boolean, string, number]
          properties:
            strata_reason:
              type: string
              enum: [assigned, no_consent, not_eligible, holdout, layer, traffic]
            strata_bucket:
              type: integer
              minimum: 0
              maximum: 9999
            strata_segment:
              type: string
            strata_definition_hash:
              type: string
              pattern: "^[0-9a-f]{64}$"
          required: [strata_reason, strata_definition_hash]
        OfrepEvaluationSuccess:
          type: object
          required: [key, reason, variant, metadata]
          properties:
            key:
              type: string
            value:
              description: The variant's value; absent when the unit is excluded (use the code default).
              type: [boolean, string, number, object]
            reason:
              type: string
              enum: [SPLIT, TARGETING_MATCH]
            variant:
              type: string
            metadata:
              $ref: "#/components/schemas/OfrepMetadata"
        OfrepEvaluationFailure:
          type: object
          required: [key, errorCode]
          properties:
            key:
              type: string
            errorCode:
              type: string
              enum: [PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT, GENERAL]
            errorDetails:
              type: string
        OfrepFlagNotFound:
          type: object
          required: [key, errorCode]
          properties:
            key:
              type: string
            errorCode:
              type: string
              enum: [FLAG_NOT_FOUND]
            errorDetails:
              type: string
        OfrepBulkSuccess:
          type: object
          required: [flags]
          properties:
            flags:
              type: array
              items:
                oneOf:
                  - $ref: "#/components/schemas/OfrepEvaluationSuccess"
                  - $ref: "#/components/schemas/OfrepEvaluationFailure"
            metadata:
              type: object
              properties:
                strata_catalog_etag:
                  type: string
              additionalProperties:
                type: [boolean, string, number]
        OfrepBulkFailure:
          type: object
          required: [errorCode]
          properties:
            errorCode:
              type: string
              enum: [PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT, GENERAL]
            errorDetails:
              type: string
        OfrepGeneralError:
          type: object
          properties:
            errorDetails:
              type: string
        Attributes:
          type: object
          description: Attribute name to value (text, number or boolean; null or empty text is missing).
          additionalProperties: true
        AssignRequest:
          type: object
          additionalProperties: false
          properties:
            unit:
              type: string
              minLength: 1
            attributes:
              $ref: "#/components/schemas/Attributes"
            units:
              type: array
              minItems: 1
              items:
                type: object
                additionalProperties: false
                required: [unit]
                properties:
                  unit:
                    type: string
                    minLength: 1
                  attributes:
                    $ref: "#/components/schemas/Attributes"
            experiment:
              type: string
            experiments:
              type: array
              minItems: 1
              items:
                type: string
          oneOf:
            - required: [unit]
              not:
                required: [units]
            - required: [units]
              not:
                anyOf:
                  - required: [unit]
                  - required: [attributes]
          not:
            required: [experiment, experiments]
        Assignment:
          type: object
          required: [experiment, definition_hash, unit, segment, variant, bucket, eligible, reason, value]
          properties:
            experiment:
              type: string
            definition_hash:
              type: string
              pattern: "^[0-9a-f]{64}$"
            unit:
              type: string
            segment:
              type: [string, "null"]
            variant:
              type: [string, "null"]
            bucket:
              type: [integer, "null"]
              minimum: 0
              maximum: 9999
            eligible:
              type: boolean
            reason:
              type: string
              enum: [assigned, no_consent, not_eligible, holdout, layer, traffic]
            value:
              type: [boolean, string, number, object, "null"]
            factors:
              type: [object, "null"]
              additionalProperties:
                type: string
        AssignResponse:
          type: object
          required: [catalog_etag, assignments]
          properties:
            catalog_etag:
              type: string
            assignments:
              type: array
              items:
                $ref: "#/components/schemas/Assignment"
        ExperimentSummary:
          type: object
          required: [id, name, definition_hash, file, unit, value_type, variants, control, segments, attributes]
          properties:
            id:
              type: string
            name:
              type: string
            definition_hash:
              type: string
              pattern: "^[0-9a-f]{64}$"
            file:
              type: string
            unit:
              type: string
            value_type:
              type: string
              enum: [string, boolean, integer, float, object]
            variants:
              type: array
              items:
                type: object
                required: [key, weight, value]
                properties:
                  key:
                    type: string
                  weight:
                    type: string
                  value:
                    type: [boolean, string, number, object]
            control:
              type: string
            segments:
              type: array
              items:
                type: string
            attributes:
              type: array
              items:
                type: string
        ExperimentDetail:
          allOf:
            - $ref: "#/components/schemas/ExperimentSummary"
            - type: object
              required: [definition]
              properties:
                definition:
                  type: string
                  description: The definition file's text.
        Catalog:
          type: object
          required: [etag, loaded_at, experiments]
          properties:
            etag:
              type: string
            loaded_at:
              type: string
              format: date-time
            experiments:
              type: array
              items:
                $ref: "#/components/schemas/ExperimentSummary"
        ConsentRequest:
          type: object
          required: [unit, granted]
          additionalProperties: false
          properties:
            unit:
              type: string
              minLength: 1
              description: The unit id (at most 512 bytes of UTF-8).
            granted:
              type: boolean
        ConsentResponse:
          type: object
          required: [unit, granted, assignable, recorded_at, audit]
          properties:
            unit:
              type: string
            granted:
              type: boolean
            assignable:
              type: boolean
              description: Whether the unit may be assigned from now on (its experiments' rules still apply).
            recorded_at:
              type: string
              format: date-time
            audit:
              $ref: "#/components/schemas/AuditReference"
        ErasureRequest:
          type: object
          required: [unit]
          additionalProperties: false
          properties:
            unit:
              type: string
              minLength: 1
              description: The unit id (at most 512 bytes of UTF-8).
            withdraw_consent:
              type: boolean
              default: true
        AuditReference:
          type: object
          required: [sequence, record_hash]
          properties:
            sequence:
              type: integer
              minimum: 1
            record_hash:
              type: string
              pattern: "^[0-9a-f]{64}$"
        ErasureResponse:
          type: object
          required: [unit, consent_withdrawn, removed, results_changed, events_by_metric, audit, consent_audit]
          properties:
            unit:
              type: string
            consent_withdrawn:
              type: boolean
            removed:
              type: object
              required: [exposures, events, exposure_ids]
              properties:
                exposures:
                  type: integer
                  minimum: 0
                events:
                  type: integer
                  minimum: 0
                exposure_ids:
                  type: integer
                  minimum: 0
            results_changed:
              type: array
              description: The experiments whose results change, with the variants the unit was exposed to.
              items:
                type: object
                required: [experiment, variants]
                properties:
                  experiment:
                    type: string
                  variants:
                    type: array
                    items:
                      type: string
            events_by_metric:
              type: object
              additionalProperties:
                type: integer
            audit:
              $ref: "#/components/schemas/AuditReference"
            consent_audit:
              oneOf:
                - $ref: "#/components/schemas/AuditReference"
                - type: "null"
        Status:
          type: object
          required: [status]
          properties:
            status:
              type: string
            reason:
              type: string
            catalog_etag:
              type: string
            experiments:
              type: integer
        LiveResults:
          type: object
          description: The JSON of `strata analyze --json` (docs/analyze.md), plus `service`.
          required: [experiment, data, srm, results, look, verdict, service]
          properties:
            service:
              type: object
              required: [view, look, look_action, exposures_stored, repeated_exposures]
              properties:
                view:
                  type: string
                  enum: [interim, planned_look]
                look:
                  type: integer
                look_action:
                  type: string
                  enum: [recorded, replaced, reused, not_recorded]
                exposures_stored:
                  type: integer
                  minimum: 0
                repeated_exposures:
                  type: integer
                  minimum: 0
        ExposureBatch:
          type: object
          required: [exposures]
          additionalProperties: false
          properties:
            exposures:
              type: array
              minItems: 1
              maxItems: 1000
              items:
                type: object
                required: [id, experiment, unit, variant]
                additionalProperties: false
                properties:
                  id:
                    type: string
                    minLength: 1
                    maxLength: 256
                    description: Chosen by the client, unique per exposure (a UUID); a repeated id is a duplicate.
                  experiment:
                    type: string
                  unit:
                    type: string
                    minLength: 1
                    maxLength: 256
                  variant:
                    type: string
                  definition:
                    type: string
                    pattern: "^[0-9a-f]{64}$"
                    description: The definition hash the unit was assigned under (default the current one).
                  time:
                    type: string
                    format: date-time
                    description: When the unit was exposed (RFC 3339 with a time zone; default now).
                  segment:
                    type: string
                    description: The unit's segment (from its assignment); not needed with attributes or one segment.
                  attributes:
                    $ref: "#/components/schemas/Attributes"
        EventBatch:
          type: object
          required: [events]
          additionalProperties: false
          properties:
            events:
              type: array
              minItems: 1
              maxItems: 1000
              items:
                type: object
                required: [id, unit, metric, value]
                additionalProperties: false
                properties:
                  id:
                    type: string
                    minLength: 1
                    maxLength: 256
                  unit:
                    type: string
                    minLength: 1
                    maxLength: 256
                  metric:
                    type: string
                  value:
                    type: number
                    minimum: -1.0e+50
                    maximum: 1.0e+50
                  time:
                    type: string
                    format: date-time
        IngestResponse:
          type: object
          required: [received, stored, duplicates, refused_no_consent]
          properties:
            received:
              type: integer
              minimum: 0
            stored:
              type: integer
              minimum: 0
              description: Items written (new ids).
            duplicates:
              type: integer
              minimum: 0
              description: Items whose id was already stored (skipped).
            refused_no_consent:
              type: integer
              minimum: 0
              description: Items of units without consent (not stored).
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message]
              properties:
                code:
                  type: string
                message:
                  type: string
                index:
                  type: integer
                  minimum: 0
                  description: The position of the bad item in the batch (ingestion).
                field:
                  type: string
                  description: The bad field (ingestion).
    """
    + "\n"
}
