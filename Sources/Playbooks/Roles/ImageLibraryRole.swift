import Provision

/// `imagelib`: the image-cache host. nginx serves a cache directory over HTTP, and each image
/// the site lists is fetched into it by the host and kept only with its pinned sha256.
///
/// Vars: `images` (a mapping from file name to `{url: ..., sha256: ...}`), `image_cache_dir`
/// (default `/srv/images`), `image_port` (default `8080`; nginx listens on the host's address).
enum ImageLibraryRole {
    static let name = "imagelib"

    static let role = Role(name: name) { host throws(RoleError) in
        let directory = host.string("image_cache_dir", default: "/srv/images")
        let port = host.string("image_port", default: "8080")
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw RoleError(host: host.name, role: name, message: "var image_port is '\(port)'; it is a TCP port number")
        }
        var images: [any Resource] = []
        for (file, settings) in host.mapping("images").sorted(by: { $0.key < $1.key }) {
            guard case .map(let fields) = settings, case .string(let url)? = fields["url"], case .string(let sha256)? = fields["sha256"],
                  sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
                throw RoleError(host: host.name, role: name, message: "image '\(file)' needs url and sha256 (64 hex digits): {url: https://..., sha256: ...}")
            }
            guard !file.contains("/"), !file.hasPrefix(".") else {
                throw RoleError(host: host.name, role: name, message: "image '\(file)' must be a plain file name")
            }
            images.append(DownloadResource("\(directory)/\(file)", url: url, sha256: sha256))
        }
        let address = host.network.address.description
        let manager = PackageResource.Manager(host.os.family)
        return HostPlaybook(resources: [
            PackageResource("nginx", manager: manager),
            PackageResource("curl", manager: manager),
            // Debian's default site listens on every address's port 80: the cache is all this nginx serves.
            CommandResource("rm -f /etc/nginx/sites-enabled/default", unless: "[ ! -e /etc/nginx/sites-enabled/default ]", notifies: ["reload nginx"]),
            DirectoryResource(directory),
            FileResource("/etc/nginx/conf.d/provision-images.conf", content: """
                # Managed by provision (role imagelib).
                server {
                    listen \(address):\(portNumber);
                    server_name \(host.fqdn);
                    root \(directory);
                    autoindex on;
                    location ~ \\.provision- { deny all; }
                }

                """, notifies: ["reload nginx"]),
            ServiceResource("nginx"),
        ] + images, handlers: [Handler(name: "reload nginx", command: "nginx -t && systemctl reload nginx")])
    }
}
