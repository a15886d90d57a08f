/// Where each file of a rendered netboot tree lives, relative to the tree's root. One place
/// decides the layout; the renderer, the asset fetcher, dnsmasq's config and the install
/// server all ask here.
///
/// ```
/// tftp/                          dnsmasq's tftp-root
///   pxelinux.0 ldlinux.c32       BIOS boot loader (asset)
///   pxelinux.cfg/default         local boot for anyone unknown
///   pxelinux.cfg/01-<mac>        per host: install or local boot
///   bootnetx64.efi grubx64.efi   UEFI shim + Debian's netboot GRUB (assets)
///   debian-installer/amd64/grub/grub.cfg              chains to the per-MAC file
///   debian-installer/amd64/grub/grub.cfg-<mac>        per host (colon form, what GRUB chains to)
///   debian-installer/amd64/grub/grub.cfg-01-<mac>     per host (dash form, for GRUBs that search)
///   undionly.kpxe ipxe.efi       iPXE (assets)
///   installers/<os>-<release>/linux, initrd           installer kernels (assets)
/// http/                          served by `provision serve`
///   boot.ipxe                    chains to ipxe/<mac>.ipxe
///   ipxe/<mac>.ipxe              per host
/// install/<host>/...             preseed.cfg | ks.cfg | user-data + meta-data: served only to an
///                                armed host, by its own route, with its token filled in
/// dnsmasq.conf
/// .rendered                      each host's render inputs (digest) and files: what the next render may carry
/// .assets                        the asset files `netboot assets` placed
/// ```
public enum BootTree {
    public static let tftp = "tftp"
    public static let http = "http"
    public static let dnsmasqConfig = "dnsmasq.conf"
    /// Lists the asset files (relative paths) that `netboot assets` placed, so a re-render keeps them.
    public static let assetManifest = ".assets"
    /// What the render that made the tree wrote for each host (`RenderManifest`), so the next one
    /// carries the hosts whose inputs did not change.
    public static let renderManifest = ".rendered"

    /// The GRUB prefix compiled into Debian's signed netboot GRUB: it reads only grub.cfg here.
    public static let grubPrefix = "debian-installer/amd64/grub"

    public static let biosBootfile = "pxelinux.0"
    public static let uefiBootfile = "bootnetx64.efi"

    public static func pxelinuxConfig(_ mac: MACAddress) -> String { "\(tftp)/pxelinux.cfg/\(mac.pxelinuxName)" }
    public static let pxelinuxDefault = "\(tftp)/pxelinux.cfg/default"
    public static let grubConfig = "\(tftp)/\(grubPrefix)/grub.cfg"
    public static func grubHostConfigs(_ mac: MACAddress) -> [String] {
        ["\(tftp)/\(grubPrefix)/grub.cfg-\(mac)", "\(tftp)/\(grubPrefix)/grub.cfg-\(mac.pxelinuxName)"]
    }
    public static let ipxeBoot = "\(http)/boot.ipxe"
    public static func ipxeHost(_ mac: MACAddress) -> String { "\(http)/ipxe/\(mac.hyphenated).ipxe" }

    /// Installer kernel and initrd for an OS, relative to the TFTP root (and served over HTTP).
    public static func installerDirectory(_ os: OperatingSystem) -> String { "installers/\(os.family.rawValue)-\(os.release)" }

    /// The install files of a host, relative to `http/install/<host>/`.
    public static func installFileNames(_ installer: OperatingSystem.Installer) -> [String] {
        switch installer {
        case .preseed: ["preseed.cfg"]
        case .kickstart: ["ks.cfg"]
        case .autoinstall: ["user-data", "meta-data"]
        }
    }

    public static func installDirectory(host: String) -> String { "install/\(host)" }
}
