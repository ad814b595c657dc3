// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Strata",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "strata", targets: ["StrataCLI"]),
    .library(name: "StrataAssignment", targets: ["StrataAssignment"]),
    .library(name: "StrataStats", targets: ["StrataStats"]),
    .library(name: "StrataAnalysis", targets: ["StrataAnalysis"]),
    .library(name: "StrataReport", targets: ["StrataReport"]),
    .library(name: "StrataWarehouse", targets: ["StrataWarehouse"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // Assignment: hashing, bucketing, experiments, segments. Standard library only.
    .target(name: "StrataAssignment"),

    // The C boundary: GSL through pkg-config (apt: libgsl-dev).
    .systemLibrary(
      name: "CStrataGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev"])]
    ),

    // Statistics: distributions, tests, planning, sequential designs, factorial designs.
    .target(name: "StrataStats", dependencies: ["CStrataGSL"]),

    // Files and CSV in, a report value out.
    .target(
      name: "StrataAnalysis",
      dependencies: ["StrataAssignment", "StrataStats", .product(name: "Yams", package: "Yams")]
    ),

    // SQL pushdown: the query that aggregates a warehouse table into the cells `analyze` reads.
    .target(name: "StrataWarehouse", dependencies: ["StrataAnalysis", "StrataAssignment"]),

    // Report value to Markdown and HTML.
    .target(name: "StrataReport", dependencies: ["StrataAnalysis", "StrataAssignment", "StrataStats"]),

    // The `strata` executable.
    .executableTarget(
      name: "StrataCLI",
      dependencies: [
        "StrataAssignment", "StrataStats", "StrataAnalysis", "StrataReport", "StrataWarehouse",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // Benchmarks (release mode): `swift run -c release assignment-benchmark`.
    .executableTarget(
      name: "assignment-benchmark", dependencies: ["StrataAssignment"], path: "Benchmarks/AssignmentBenchmark"),

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
      name: "StrataStatsTests",
      dependencies: ["StrataStats", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataAnalysisTests",
      dependencies: ["StrataAnalysis", "StrataAssignment", "StrataStats", "StrataTestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "StrataReportTests",
      dependencies: ["StrataReport", "StrataAnalysis", "StrataStats", "StrataTestSupport"],
      resources: [.copy("Snapshots")]
    ),
    .testTarget(
      name: "StrataWarehouseTests",
      dependencies: ["StrataWarehouse", "StrataAnalysis", "StrataTestSupport"]
    ),
    .testTarget(
      name: "StrataCLITests",
      dependencies: ["StrataCLI", "StrataTestSupport"]
    ),
  ]
)

// libFuzzer targets, only when Scripts/fuzz.sh builds them (STRATA_FUZZ=1 with -sanitize=fuzzer,address):
// a normal `swift build` or `swift test` never sees them.
if Context.environment["STRATA_FUZZ"] == "1" {
  for (name, dependencies) in [
    ("CSVScannerFuzz", ["StrataAnalysis", "StrataAssignment"]),
    ("RuleParserFuzz", ["StrataAssignment"]),
    ("ExperimentLoaderFuzz", ["StrataAnalysis", "StrataAssignment"]),
  ] {
    package.targets.append(
      .executableTarget(
        name: name, dependencies: dependencies.map { .target(name: $0) }, path: "Fuzz/\(name)",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
  }
}
