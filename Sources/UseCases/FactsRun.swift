import Provision

/// `facts` as one library call: what a host is (OS, kernel, CPU virtualisation, memory,
/// /dev/kvm), read in one exec. libssh2 blocks: the whole read runs on a thread of its own.
public enum FactsRun {
    public static func read(host name: String, acceptNewHostKey: Bool, in workspace: Workspace) async throws(UseCaseFailure) -> HostFacts {
        let host = try workspace.hosts(named: [name], in: try workspace.loadInventory())[0]
        return try await DedicatedThread.run { () throws(UseCaseFailure) -> HostFacts in
            let connection: SSHConnection
            do {
                connection = try SSHConnection(.init(for: host, acceptNewHostKey: acceptNewHostKey))
            } catch {
                throw .unreachable("\(host.name): \(error)")
            }
            do {
                return try HostFacts.parse(try connection.executeAsRoot(HostFacts.probe).stdout)
            } catch {
                throw .failed("\(host.name): \(error)")
            }
        }
    }
}
