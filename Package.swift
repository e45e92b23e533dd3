// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "FieldKit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fieldkit", targets: ["fieldkit"]),
        // The readers of what a stick or the network brings in, for the fuzz targets in Fuzz/.
        .library(
            name: "FieldKitReaders", targets: ["FieldKitCrypto", "FieldKitCore", "FieldKitArchive", "FieldKitSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]
        ),
        .target(
            name: "FieldKitCrypto",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldKitCore",
            dependencies: ["FieldKitCrypto"],
            // Fault points (FaultPoint.swift) are honoured in debug builds only: the tests' builds.
            swiftSettings: swiftSettings + [.define("FIELDKIT_FAULT_POINTS", .when(configuration: .debug))]
        ),
        .target(
            name: "FieldKitArchive",
            dependencies: ["CArchive", "FieldKitCore"],
            swiftSettings: swiftSettings
        ),
        // A VFS that fails SQLite's k-th write or sync: test builds install it (FaultPoint.swift).
        .target(
            name: "CStoreFault",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "FieldKitStore",
            dependencies: [
                "FieldKitCore", "CStoreFault",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings + [.define("FIELDKIT_FAULT_POINTS", .when(configuration: .debug))]
        ),
        .target(
            name: "FieldKitBundles",
            dependencies: [
                "FieldKitArchive", "FieldKitStore", "FieldKitCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldKitSync",
            dependencies: [
                "FieldKitArchive", "FieldKitStore", "FieldKitCore", "FieldKitCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldKitReports",
            dependencies: ["FieldKitStore", "FieldKitCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldKitServer",
            dependencies: [
                "FieldKitSync", "FieldKitReports", "FieldKitStore", "FieldKitCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fieldkit-packer",
            dependencies: ["FieldKitBundles", "FieldKitCore", "FieldKitCrypto"],
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "BundlePackerPlugin",
            capability: .buildTool(),
            dependencies: ["fieldkit-packer"]
        ),
        .target(
            name: "FieldKitDefaultContent",
            swiftSettings: swiftSettings,
            plugins: ["BundlePackerPlugin"]
        ),
        .target(
            name: "FieldKitCLI",
            dependencies: [
                "FieldKitBundles", "FieldKitServer", "FieldKitReports", "FieldKitSync", "FieldKitStore",
                "FieldKitArchive", "FieldKitCore",
                "FieldKitDefaultContent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fieldkit",
            dependencies: ["FieldKitCLI"],
            swiftSettings: swiftSettings
        ),
        // The benchmark's helper (Benchmarks/README.md): makes the dataset and times search in
        // process. Built with the package so `make bench` needs one release build; never installed.
        .executableTarget(
            name: "fieldkit-bench",
            dependencies: [
                "FieldKitStore", "FieldKitCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/fieldkit-bench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldKitTestSupport",
            dependencies: ["FieldKitCore", "FieldKitCrypto", "FieldKitStore", "FieldKitBundles", "FieldKitSync"],
            path: "Tests/FieldKitTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitCryptoTests",
            dependencies: ["FieldKitCrypto", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitCoreTests",
            dependencies: ["FieldKitCore", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitStoreTests",
            dependencies: ["FieldKitStore", "FieldKitTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitArchiveTests",
            dependencies: ["FieldKitArchive", "CArchive", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitBundlesTests",
            dependencies: ["FieldKitBundles", "FieldKitArchive", "CArchive", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitSyncTests",
            dependencies: ["FieldKitSync", "FieldKitStore", "FieldKitArchive", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitServerTests",
            dependencies: [
                "FieldKitServer", "FieldKitReports", "FieldKitSync", "FieldKitStore", "FieldKitTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldKitCLITests",
            dependencies: ["FieldKitCLI", "FieldKitStore", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["fieldkit", "FieldKitTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
