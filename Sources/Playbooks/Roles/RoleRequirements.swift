import Provision

/// What `provision validate` checks of roles: that every host has what each of its roles needs
/// (the vars a role requires, values it accepts), found by building each host's playbook the
/// way `plan` does, so that the two cannot disagree. Secrets are not read: each stands in with
/// a placeholder, so only whether a secret var is given is checked, not whether its environment
/// variable or file exists (plan, check and apply read them before they contact a host).
public enum RoleRequirements {
    /// One error per role listing and problem, at the place the role is listed (a group lists
    /// it for many hosts: one error names them all), worded as `plan` words it.
    public static func diagnostics(for hosts: [Host], siteRoles: [String: Role]) -> [Diagnostic] {
        let secrets = SecretReader.standIn()
        var failures: [Failure: [String]] = [:]
        var order: [Failure] = []
        for host in hosts {
            guard var standIn = try? host.resolvingSecrets(by: secrets) else { continue }
            // A role nothing defines yet is refused by plan and, once the site has playbooks, by
            // SitePlaybookLoader where it is listed; the defined ones are checked here, each on
            // its own, so that every role's problem is reported in the one run (a role stops at
            // its first).
            for role in host.roles where Roles.builtIn[role] != nil || siteRoles[role] != nil {
                standIn.roles = [role]
                do {
                    _ = try Roles.playbook(for: standIn, siteRoles: siteRoles)
                } catch let error as RoleError {
                    let failure = Failure(role: error.role, message: error.message, location: host.roleLocations[error.role] ?? host.location)
                    if failures[failure] == nil { order.append(failure) }
                    failures[failure, default: []].append(host.name)
                } catch {
                    continue
                }
            }
        }
        return order.map { failure in
            .error(RoleError.description(hosts: failures[failure] ?? [], role: failure.role, message: failure.message), at: failure.location)
        }
    }

    private struct Failure: Hashable {
        var role: String
        var message: String
        var location: SourceLocation
    }
}
