// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "sentinel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sentineld", targets: ["sentineld"]),
        .executable(name: "sentinelctl", targets: ["sentinelctl"]),
        .executable(name: "sentinel-demo-server", targets: ["sentinel-demo-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "SentinelCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelControlAPI",
            dependencies: ["SentinelCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelCrypto",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelSystemd",
            dependencies: [
                "CSystemd",
                "SentinelCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelStoreContract",
            dependencies: ["SentinelCore", "SentinelCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelStoreContractTesting",
            dependencies: ["SentinelStoreContract", "SentinelCore", "SentinelCrypto"],
            path: "Tests/SentinelStoreContractTesting",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelStore",
            dependencies: [
                "SentinelCore",
                "SentinelCrypto",
                "SentinelStoreContract",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelVarlink",
            dependencies: [
                "SentinelCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelUpstream",
            dependencies: [
                "SentinelCore",
                "SentinelCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelControl",
            dependencies: [
                "SentinelControlAPI",
                "SentinelCore",
                "SentinelCrypto",
                "SentinelStore",
                "SentinelVarlink",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelGateway",
            dependencies: [
                "SentinelCore",
                "SentinelStore",
                "SentinelUpstream",
                "SentinelCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SentinelAuth",
            dependencies: [
                "SentinelCore",
                "SentinelCrypto",
                "SentinelStore",
                "SentinelGateway",
                "SentinelUpstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sentineld",
            dependencies: [
                "SentinelAuth",
                "SentinelCore",
                "SentinelCrypto",
                "SentinelStore",
                "SentinelSystemd",
                "SentinelVarlink",
                "SentinelControl",
                "SentinelGateway",
                "SentinelUpstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sentinelctl",
            dependencies: [
                "SentinelControlAPI",
                "SentinelCore",
                "SentinelSystemd",
                "SentinelVarlink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sentinel-demo-server",
            dependencies: ["SentinelCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelCoreTests",
            dependencies: ["SentinelCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelCryptoTests",
            dependencies: ["SentinelCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelSystemdTests",
            dependencies: ["SentinelSystemd"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelUpstreamTests",
            dependencies: [
                // SentinelGateway, SentinelStore and SentinelCrypto: CatalogService's refresh against a real store.
                "SentinelUpstream", "SentinelCore", "SentinelGateway", "SentinelStore", "SentinelCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelStoreTests",
            dependencies: ["SentinelStore", "SentinelCore", "SentinelCrypto", "SentinelStoreContract", "SentinelStoreContractTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelVarlinkTests",
            dependencies: ["SentinelVarlink", "SentinelCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelGatewayTests",
            dependencies: [
                "SentinelGateway", "SentinelCore", "SentinelStore", "SentinelCrypto", "SentinelUpstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelAuthTests",
            dependencies: [
                "SentinelAuth", "SentinelControl", "SentinelCore", "SentinelStore", "SentinelGateway", "SentinelVarlink",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SentinelControlTests",
            dependencies: ["SentinelControl", "SentinelControlAPI", "SentinelStore", "SentinelVarlink", "SentinelCore"],
            swiftSettings: swiftSettings),
    ]
)
