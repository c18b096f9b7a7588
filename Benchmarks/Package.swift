// swift-tools-version:6.2
// The benchmark tools: a load generator and a fast upstream, both on NIO. A package of their own,
// so `make check` and the root package's dependencies are unaffected; they need nothing from it.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v5),
]

let package = Package(
    name: "sentinel-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sentinel-bench-load", targets: ["sentinel-bench-load"]),
        .executable(name: "sentinel-bench-upstream", targets: ["sentinel-bench-upstream"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sentinel-bench-load",
            dependencies: [
                "BenchSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sentinel-bench-upstream",
            dependencies: [
                "BenchSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
