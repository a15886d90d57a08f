import CProvisionSystem
import Foundation

/// Starting other programs with posix_spawn and waitpid. Foundation's Process can hang in
/// waitUntilExit off the main thread while another child is alive, and passes on the calling
/// thread's blocked signals (a child started from a Swift worker thread would ignore SIGTERM).
public enum Subprocess {
    public struct Output: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs a program to its end; stdout and stderr together, stdin empty.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        var fds: [Int32] = [0, 0]
        // Close-on-exec: the child gets the write end as its stdout and stderr only, so a
        // process it leaves running in the background cannot hold the pipe (and this read) open.
        guard csystem_pipe_cloexec(&fds) == 0 else { throw FileError.system("pipe", errno) }
        let pid: pid_t
        do {
            pid = try spawn(program, arguments, environment: environment, output: fds[1])
        } catch {
            close(fds[0]); close(fds[1])
            throw error
        }
        close(fds[1])
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        close(fds[0])
        return Output(status: wait(pid), output: String(decoding: output, as: UTF8.self))
    }

    /// Starts a program with stdout and stderr appended to `logFile`; `newSession` detaches it
    /// from the caller's session so it outlives the command (lab nodes).
    public static func start(_ program: String, _ arguments: [String], logFile: String, newSession: Bool = false) throws -> pid_t {
        let fd = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.system("cannot open \(logFile)", errno) }
        defer { close(fd) }
        return try spawn(program, arguments, environment: [:], output: fd, newSession: newSession)
    }

    /// Waits for a child and returns its exit status (128 + signal when killed).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitStatus(status)
    }

    /// The exit status in what waitpid reported (128 + signal when killed). WIFEXITED and
    /// WEXITSTATUS spelled out: they are C macros.
    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The full path of a program on PATH (plus the sbin directories root's tools live in).
    public static func which(_ program: String) throws -> String {
        if program.hasPrefix("/") { return program }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        throw SubprocessError(message: "\(program) is not installed (scripts/setup installs what provision needs)")
    }

    /// Starts a program with `output` as its stdout and `errors` (else `output` too) as its
    /// stderr, stdin `input` or /dev/null. `environment` adds to this process's own, or with
    /// `inheritEnvironment` false is all the program gets. `ownGroup` puts it in a process group
    /// of its own: a terminal's Ctrl-C does not reach it, and `kill(-pid, ...)` reaches all it started.
    static func spawn(_ program: String, _ arguments: [String], environment: [String: String], inheritEnvironment: Bool = true,
                      input: Int32? = nil, output: Int32, errors: Int32? = nil, newSession: Bool = false, ownGroup: Bool = false) throws -> pid_t {
        let path = try which(program)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input { posix_spawn_file_actions_adddup2(&actions, input, 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors ?? output, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= 0x80 }  // POSIX_SPAWN_SETSID (glibc 2.26+; not exported to Swift)
        if ownGroup { flags |= Int32(POSIX_SPAWN_SETPGROUP) }  // group 0: the child's own pid
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let env = (inheritEnvironment ? ProcessInfo.processInfo.environment : [:]).merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw FileError.system("cannot start \(path)", result) }
        return pid
    }
}

public struct SubprocessError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
