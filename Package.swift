// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "provision",
    // Linux only: the code uses glibc, /proc, systemd-nspawn and Debian's packages. SwiftPM has
    // no minimum Linux version to declare, so no platforms are listed; none other is supported.
    products: [
        .executable(name: "provision", targets: ["ProvisionCLI"]),
        .library(name: "Provision", targets: ["Provision"]),
        .library(name: "ProvisionSSH", targets: ["ProvisionSSH"]),
        .library(name: "Playbooks", targets: ["Playbooks"]),
        .library(name: "UseCases", targets: ["UseCases"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(name: "CProvisionSystem"),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "Provision",
            dependencies: [
                "CProvisionSystem",
                "CCurl",
                "Yams",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The SSH connector: libssh2 behind the engine's `Connector`, the one target that imports it.
        .target(
            name: "ProvisionSSH",
            dependencies: ["Provision", "CLibSSH2"]
        ),
        .target(
            name: "Playbooks",
            dependencies: ["Provision"]
        ),
        // What a user does (converge, render, bring up, power), one call each, for the command
        // line and any other front end; above Playbooks, whose role catalog the runs build on.
        .target(
            name: "UseCases",
            dependencies: [
                "Provision",
                "ProvisionSSH",
                "Playbooks",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The lab: debootstrap, overlays and systemd-nspawn nodes on this machine, for
        // `provision lab` and the lab tests. The `Provision` library knows nothing of it.
        .target(
            name: "ProvisionLab",
            dependencies: ["Provision"]
        ),
        .executableTarget(
            name: "ProvisionCLI",
            dependencies: [
                "Provision",
                "ProvisionSSH",
                "Playbooks",
                "UseCases",
                "ProvisionLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // bench/fleet: the plan computation of a simulated fleet from recorded probe output.
        .executableTarget(
            name: "plan-benchmark",
            dependencies: ["Provision", "ProvisionSSH", "Playbooks"],
            path: "bench/fleet/plan-benchmark"
        ),
        .testTarget(
            name: "ProvisionTests",
            dependencies: [
                "Provision",
                "ProvisionSSH",
                "Playbooks",
                "UseCases",
                "ProvisionCLI",
                "ProvisionLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
