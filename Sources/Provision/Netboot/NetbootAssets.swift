import Crypto
import Foundation

/// The boot loaders and installer kernels that a rendered tree needs but provision does not
/// render: copied from Debian's packages, or downloaded and accepted only with a matching sha256.
/// All are staged first; only when every one is in hand are they moved into the tree, so a
/// missing package or a checksum mismatch replaces nothing.
public enum NetbootAssets {
    public enum Origin: Sendable, Hashable {
        case package(name: String, file: String)
        case url(String, sha256: String)
    }

    public struct Source: Sendable, Hashable {
        /// Relative to the tree's `tftp/`.
        public var path: String
        public var origin: Origin
    }

    private static let debianInstaller = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"

    /// What Debian 12's packages provide (installed by scripts/setup).
    public static let debianPackages: [Source] = [
        Source(path: BootTree.biosBootfile, origin: .package(name: "pxelinux", file: "/usr/lib/PXELINUX/pxelinux.0")),
        Source(path: "ldlinux.c32", origin: .package(name: "syslinux-common", file: "/usr/lib/syslinux/modules/bios/ldlinux.c32")),
        // Debian's signed shim and the netboot GRUB it loads from beside itself; GRUB's prefix
        // is compiled in as /debian-installer/amd64/grub (BootTree.grubPrefix).
        Source(path: BootTree.uefiBootfile, origin: .package(name: "debian-installer-12-netboot-amd64", file: "\(debianInstaller)/bootnetx64.efi")),
        Source(path: "grubx64.efi", origin: .package(name: "debian-installer-12-netboot-amd64", file: "\(debianInstaller)/grubx64.efi")),
        Source(path: "undionly.kpxe", origin: .package(name: "ipxe", file: "/usr/lib/ipxe/undionly.kpxe")),
        Source(path: "ipxe.efi", origin: .package(name: "ipxe", file: "/usr/lib/ipxe/ipxe.efi")),
        Source(path: "installers/debian-12/linux", origin: .package(name: "debian-installer-12-netboot-amd64", file: "\(debianInstaller)/linux")),
        Source(path: "installers/debian-12/initrd", origin: .package(name: "debian-installer-12-netboot-amd64", file: "\(debianInstaller)/initrd.gz")),
    ]

    /// Debian's packaged files plus the site's pinned downloads (which win on the same path).
    public static func sources(for site: Site) -> [Source] {
        let pinned = site.assets.map { Source(path: $0.path, origin: .url($0.url, sha256: $0.sha256)) }
        let pinnedPaths = Set(pinned.map(\.path))
        return debianPackages.filter { !pinnedPaths.contains($0.path) } + pinned
    }

    /// Installer directories the inventory's hosts boot from that no source provides.
    public static func missingInstallers(for inventory: Inventory, sources: [Source]) -> [String] {
        let provided = Set(sources.map(\.path))
        let needed = Set(inventory.hosts.flatMap { host in
            let directory = BootTree.installerDirectory(host.os)
            return ["\(directory)/linux", "\(directory)/initrd"]
        })
        return needed.subtracting(provided).sorted()
    }

    public enum AssetError: Error, CustomStringConvertible {
        case packageMissing(path: String, package: String, file: String)
        case download(path: String, url: String, reason: String)
        case checksum(path: String, url: String, expected: String, actual: String)

        public var description: String {
            switch self {
            case .packageMissing(let path, let package, let file):
                "\(path): \(file) is missing; install Debian's package '\(package)' (scripts/setup does)"
            case .download(let path, let url, let reason):
                "\(path): cannot download \(url): \(reason)"
            case .checksum(let path, let url, let expected, let actual):
                "\(path): sha256 of \(url) is \(actual), but the inventory pins \(expected); nothing was replaced"
            }
        }
    }

    /// Places every source into `tree/tftp/` and records them in the tree's asset manifest,
    /// so that renders keep them. `progress` gets one line per asset.
    public static func install(_ sources: [Source], into tree: String, progress: (String) -> Void = { _ in }) async throws {
        let staging = "\(tree)/.assets-staging-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: staging) }

        for (index, source) in sources.enumerated() {
            let staged = "\(staging)/\(index)"
            switch source.origin {
            case .package(let name, let file):
                guard FileManager.default.fileExists(atPath: file) else { throw AssetError.packageMissing(path: source.path, package: name, file: file) }
                // Some packaged files are symlinks (ipxe.efi → /boot/ipxe.efi): copy what they point to.
                try FileManager.default.copyItem(atPath: URL(fileURLWithPath: file).resolvingSymlinksInPath().path, toPath: staged)
                progress("\(source.path) ← \(file) (package \(name))")
            case .url(let url, let expected):
                try await download(url, to: staged, path: source.path)
                let actual = try sha256(ofFile: staged)
                guard actual == expected else { throw AssetError.checksum(path: source.path, url: url, expected: expected, actual: actual) }
                progress("\(source.path) ← \(url) (sha256 verified)")
            }
        }
        // Everything is in hand: move into place, each with one rename.
        for (index, source) in sources.enumerated() {
            let target = "\(tree)/\(BootTree.tftp)/\(source.path)"
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard rename("\(staging)/\(index)", target) == 0 else { throw FileError.system("cannot move \(source.path) into place", errno) }
        }
        let manifestPath = "\(tree)/\(BootTree.assetManifest)"
        let previous = ((try? String(contentsOfFile: manifestPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        let entries = Set(previous + sources.map { "\(BootTree.tftp)/\($0.path)" }).sorted()
        try AtomicFile.write(entries.joined(separator: "\n") + "\n", to: manifestPath)
    }

    /// Through the site's proxy, if the environment names one; a whole installer image may
    /// take long, but a server that stops answering does not hold the run for ever.
    private static let downloader = HTTPClient(connectTimeout: .seconds(30), timeout: .seconds(3600), usesEnvironmentProxy: true)

    static func download(_ url: String, to path: String, path assetPath: String) async throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw AssetError.download(path: assetPath, url: url, reason: "not an http:// or https:// URL")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError.system("cannot create \(path)", errno) }
        defer { close(descriptor) }
        do {
            try await DedicatedThread.run { () throws(HTTPError) in
                try downloader.download(HTTPRequest(.get, url: url, headers: []), to: descriptor)
            }
        } catch {
            throw AssetError.download(path: assetPath, url: url, reason: error.reason)
        }
    }

    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError.system("cannot read \(path)", errno) }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
