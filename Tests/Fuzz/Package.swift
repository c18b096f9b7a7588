// swift-tools-version:6.2
// Coverage-guided fuzz targets (libFuzzer) for Sentinel's parsers; see README.md. A package of its own,
// built by `make fuzz` / `make fuzz-check` into ../../.build-fuzz, so the root package and its builds are
// unaffected. The parsers are the repository's own files, reached through symbolic links under Sources/:
// SentinelCore as a whole module, and single files compiled into the target that fuzzes them.
import PackageDescription

/// The root package's settings, plus libFuzzer's coverage instrumentation. The runtime (without its
/// `main`: FuzzDriver starts it) is linked by the Makefile with `-Xlinker`, as its path is the toolchain's.
let fuzzed: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
    .unsafeFlags(["-sanitize=fuzzer", "-O"]),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOEmbedded", package: "swift-nio"),
]

let package = Package(
    name: "sentinel-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "SentinelCore", swiftSettings: fuzzed),
        .target(name: "FuzzDriver", swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzDriver", "SentinelCore"], swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-ini", dependencies: ["FuzzDriver", "SentinelCore"], swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-form", dependencies: ["FuzzDriver"], swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-sse", dependencies: ["FuzzDriver"], swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-stdio-line", dependencies: ["FuzzDriver"] + nio, swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-varlink-frame", dependencies: ["FuzzDriver", "SentinelCore"] + nio, swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-varlink-idl", dependencies: ["FuzzDriver", "SentinelCore"], swiftSettings: fuzzed),
        .executableTarget(name: "fuzz-resource-uri", dependencies: ["FuzzDriver", "SentinelCore"], swiftSettings: fuzzed),
    ]
)
