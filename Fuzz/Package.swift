// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the readers of what a stick or a network brings in
// (docs/threat-model.md, "Fuzzing and sanitizers"): one executable holding all six, chosen by
// FIELDKIT_FUZZ_TARGET, built apart from the main package with every module it uses
// instrumented (`make fuzz-build`).
let package = Package(
    name: "FieldKitFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "FieldKit", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "FieldKitReaders", package: "FieldKit")]
        ),
        .executableTarget(
            name: "fieldkit-fuzz",
            dependencies: ["CFuzzerDriver", "FuzzSupport", .product(name: "FieldKitReaders", package: "FieldKit")],
            // SwiftPM links an executable with `main` set to `fieldkit_fuzz_main` (Targets.swift),
            // which hands over to libFuzzer's driver. The other modules get the fuzzer's coverage
            // from `make fuzz-build`'s flags.
            swiftSettings: [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]
        ),
    ]
)
