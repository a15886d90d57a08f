import Provision

/// `facts` as one library call: what a host is (OS, kernel, CPU virtualisation, memory,
/// /dev/kvm), read in one exec over the host's connector. Connectors block: the whole read
/// runs on a thread of its own.
public enum FactsRun {
    public static func read(host name: String, acceptNewHostKey: Bool, in workspace: Workspace, context: ProvisionContext) async throws(UseCaseFailure) -> HostFacts {
        let host = try workspace.hosts(named: [name], in: try workspace.loadInventory())[0]
        let connectors = context.connectors
        return try await DedicatedThread.run { () throws(UseCaseFailure) -> HostFacts in
            let connection: any Connector
            do {
                connection = try connectors.connect(host, ConnectOptions(acceptNewHostKey: acceptNewHostKey))
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
