// swift-tools-version: 6.0
// Coverage-guided fuzz targets (libFuzzer) over what provision reads from outside. Built apart
// from the main package because every module must be compiled with -sanitize=fuzzer, which
// `tests/fuzz/run` passes with -Xswiftc; `swift build` of the main package never sees this.
import PackageDescription

let package = Package(
    name: "provision-fuzz",
    dependencies: [.package(name: "provision", path: "../..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "fuzz-inventory",
            dependencies: ["CLibFuzzer", .product(name: "Provision", package: "provision")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
