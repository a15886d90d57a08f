import ArgumentParser
import Foundation
import Provision
import ProvisionSSH

struct FactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "Read what a host is (OS, kernel, CPU virtualisation, memory, /dev/kvm) over SSH, in one exec.")

    @OptionGroup var options: InventoryOptions

    @Argument(help: "The host.")
    var host: String

    @Flag(help: "Accept and record host keys that known_hosts does not have yet (never a changed one).")
    var acceptNewHostKeys = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let inventory = try options.load()
            let host = try options.hosts(named: [host], in: inventory)[0]
            let options = ConnectOptions(acceptNewHostKey: acceptNewHostKeys)
            // The connector blocks: on a thread of its own, not the cooperative pool.
            let facts = try await DedicatedThread.run { () throws(Failure) -> HostFacts in
                let connection: any Connector
                do {
                    connection = try ConnectorFactory.standard.connect(host, options)
                } catch {
                    throw Failure.unreachable("\(host.name): \(error)")
                }
                do {
                    return try HostFacts.parse(try connection.executeAsRoot(HostFacts.probe).stdout)
                } catch {
                    throw Failure.failed("\(host.name): \(error)")
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: facts.values, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(TextTable.render(header: ["FACT", "VALUE"], rows: facts.values.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
            }
        }
    }
}
