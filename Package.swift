// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Strata",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "strata", targets: ["StrataCLI"]),
    .library(name: "StrataAssignment", targets: ["StrataAssignment"]),
    .library(name: "StrataDesign", targets: ["StrataDesign"]),
    .library(name: "StrataDefinitions", targets: ["StrataDefinitions"]),
    .library(name: "StrataStats", targets: ["StrataStats"]),
    .library(name: "StrataAnalysis", targets: ["StrataAnalysis"]),
    .library(name: "StrataReport", targets: ["StrataReport"]),
    .library(name: "StrataWarehouse", targets: ["StrataWarehouse"]),
    .library(name: "StrataDiscovery", targets: ["StrataDiscovery"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    // The service (`strata serve`): HTTP, storage, hashing, metrics, logs, lifecycle.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    // Assignment: hashing, bucketing, experiments, segments. Standard library only.
    .target(name: "StrataAssignment"),

    // Designs without numerics: factorial designs (factors, runs, fractions, aliasing) and the choice of
    // alpha-spending function. Standard library only; StrataStats adds the maths.
    .target(name: "StrataDesign"),

    // Experiment definitions: metrics, the statistical plan, YAML files in and out. No GSL.
    .target(
      name: "StrataDefinitions",
      dependencies: ["StrataAssignment", "StrataDesign", .product(name: "Yams", package: "Yams")]
    ),

    // The C boundary: GSL through pkg-config (apt: libgsl-dev).
    .systemLibrary(
      name: "CStrataGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev"])]
    ),

    // Statistics: distributions, tests, planning, sequential designs, factorial designs.
    .target(name: "StrataStats", dependencies: ["CStrataGSL", "StrataDesign"]),

    // Files and CSV in, a report value out.
    .target(
      name: "StrataAnalysis",
      dependencies: ["StrataAssignment", "StrataDesign", "StrataDefinitions", "StrataStats"]
    ),

    // SQL pushdown: the query that aggregates a warehouse table into the cells `analyze` reads.
    // `strata analyze --database` runs it on PostgreSQL through postgres-nio.
    .target(
      name: "StrataWarehouse",
      dependencies: [
        "StrataAnalysis", "StrataAssignment", "StrataDefinitions",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),

    // Segment discovery: features, k-means, cluster quality, the honest split, frozen nearest-centroid segments.
    .target(
      name: "StrataDiscovery", dependencies: ["StrataAssignment", "StrataDefinitions", "StrataStats", "StrataAnalysis"]
    ),

    // Report value to Markdown and HTML.
    .target(
      name: "StrataReport",
      dependencies: [
        "StrataAnalysis", "StrataAssignment", "StrataDesign", "StrataDefinitions", "StrataStats", "StrataDiscovery",
      ]),

    // The service: OFREP and the native API over the same assignment calls as `strata assign`.
    .target(
      name: "StrataServer",
      dependencies: [
        "StrataAssignment", "StrataDefinitions", "StrataStats", "StrataAnalysis", "StrataWarehouse", "StrataReport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),

    // The `strata` executable.
    .executableTarget(
      name: "StrataCLI",
      dependencies: [
        "StrataAssignment", "StrataDesign", "StrataDefinitions", "StrataStats", "StrataAnalysis", "StrataReport",
        "StrataWarehouse", "StrataServer", "StrataDiscovery",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),

    // Benchmarks (release mode): `swift run -c release assignment-benchmark`.
    .executableTarget(
      name: "assignment-benchmark", dependencies: ["StrataAssignment"], path: "Benchmarks/AssignmentBenchmark"),

    // The service's speed ceiling: a bare Hummingbird handler returning a fixed JSON body.
    .executableTarget(
      name: "service-ceiling", dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
      path: "Benchmarks/ServiceCeiling"),

    // The ingestion ceiling: a bare insert loop through the service's drivers (Benchmarks/ingest_bench.py).
    .executableTarget(
      name: "ingest-ceiling",
      dependencies: [
        .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Benchmarks/IngestCeiling"),

    // Test support: fixtures, tolerances, a seeded generator.
    // Standard library and Foundation only, so assignment tests build without GSL.
    .target(name: "StrataTestSupport"),

    // Tests
    .testTarget(
      name: "StrataAssignmentTests",
      dependencies: ["StrataAssignment", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataDefinitionsTests",
      dependencies: [
        "StrataDefinitions", "StrataAssignment", "StrataTestSupport", .product(name: "Yams", package: "Yams"),
      ]
    ),
    .testTarget(
      name: "StrataStatsTests",
      dependencies: ["StrataStats", "StrataDesign", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataAnalysisTests",
      dependencies: ["StrataAnalysis", "StrataAssignment", "StrataDefinitions", "StrataStats", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataReportTests",
      dependencies: [
        "StrataReport", "StrataAnalysis", "StrataDefinitions", "StrataDesign", "StrataStats", "StrataDiscovery",
        "StrataTestSupport",
      ],
      resources: [.copy("Snapshots")]
    ),
    .testTarget(
      name: "StrataDiscoveryTests",
      dependencies: ["StrataDiscovery", "StrataAssignment", "StrataDefinitions", "StrataStats", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataWarehouseTests",
      dependencies: ["StrataWarehouse", "StrataAnalysis", "StrataDefinitions", "StrataTestSupport"]
    ),
    .testTarget(
      name: "StrataServerTests",
      dependencies: [
        "StrataServer", "StrataAnalysis", "StrataAssignment", "StrataStats", "StrataWarehouse", "StrataTestSupport",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataCLITests",
      dependencies: ["StrataCLI", "StrataTestSupport", .product(name: "Crypto", package: "swift-crypto")]
    ),
  ]
)

// libFuzzer targets, only when Scripts/fuzz.sh builds them (STRATA_FUZZ=1 with -sanitize=fuzzer,address):
// a normal `swift build` or `swift test` never sees them.
if Context.environment["STRATA_FUZZ"] == "1" {
  for (name, dependencies) in [
    ("CSVScannerFuzz", ["StrataAnalysis", "StrataAssignment"]),
    ("RuleParserFuzz", ["StrataAssignment"]),
    ("ExperimentLoaderFuzz", ["StrataAnalysis", "StrataAssignment", "StrataDefinitions"]),
  ] {
    package.targets.append(
      .executableTarget(
        name: name, dependencies: dependencies.map { .target(name: $0) }, path: "Fuzz/\(name)",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
  }
}
