import CProvisionSystem
import Foundation

/// A program whose stdin, stdout and stderr are connected to this process and served together
/// through poll(2), so that neither side waits on the other however much either writes (a
/// fix's file content in, a probe's output out). For the controller's own connectors; it
/// blocks, so it runs on threads made for it. The program gets a process group of its own.
final class PipedProcess {
    let pid: pid_t
    /// Our end of the program's stdin: a socket, written with MSG_NOSIGNAL, since a program that
    /// exits without reading it must not end this process with SIGPIPE (as a pipe would). -1 once closed.
    private var input: Int32
    private var pending: ArraySlice<UInt8>
    private let closeWhenWritten: Bool
    /// Our ends of its stdout and stderr; -1 once at their end.
    private var outputs: [Int32]
    private(set) var stdout = [UInt8]()
    private(set) var stderr = [UInt8]()
    private var status: Int32?

    /// Starts `program` with `environment` only; its stdin gets `input`, then ends, unless
    /// `keepInputOpen` keeps it open until `closeInput()`.
    init(_ program: String, _ arguments: [String], environment: [String: String], input: [UInt8], keepInputOpen: Bool) throws {
        var stdin: [Int32] = [-1, -1], stdout: [Int32] = [-1, -1], stderr: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &stdin) == 0 else { throw FileError.system("socketpair", errno) }
        guard csystem_pipe_cloexec(&stdout) == 0, csystem_pipe_cloexec(&stderr) == 0 else {
            let code = errno
            (stdin + stdout + stderr).filter { $0 >= 0 }.forEach { close($0) }
            throw FileError.system("pipe", code)
        }
        do {
            pid = try Subprocess.spawn(program, arguments, environment: environment, inheritEnvironment: false,
                                       input: stdin[1], output: stdout[1], errors: stderr[1], ownGroup: true)
        } catch {
            (stdin + stdout + stderr).forEach { close($0) }
            throw error
        }
        // The child holds its ends now; ours of them would keep its output from ever ending.
        [stdin[1], stdout[1], stderr[1]].forEach { close($0) }
        self.input = stdin[0]
        outputs = [stdout[0], stderr[0]]
        pending = input[...]
        closeWhenWritten = !keepInputOpen
        if pending.isEmpty && closeWhenWritten { closeInput() }
    }

    deinit {
        closeInput()
        outputs.filter { $0 >= 0 }.forEach { close($0) }
        if status == nil {
            kill()
            _ = wait()
        }
    }

    /// Writes what stdin has still to get and reads both outputs until `enough` holds for the
    /// stdout so far, or both outputs ended. False when `deadline` came first.
    func pump(until enough: ([UInt8]) -> Bool = { _ in false }, deadline: ContinuousClock.Instant) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !enough(stdout), outputs.contains(where: { $0 >= 0 }) {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let writing = input >= 0 && !pending.isEmpty
            // poll skips negative descriptors: the ended outputs, and stdin when there is nothing to write.
            var fds = outputs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) } + [pollfd(fd: writing ? input : -1, events: Int16(POLLOUT), revents: 0)]
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            guard poll(&fds, nfds_t(fds.count), Int32(clamping: milliseconds)) > 0 else { continue }  // timed out or EINTR: the deadline decides
            for index in outputs.indices where outputs[index] >= 0 && fds[index].revents != 0 {
                let count = read(outputs[index], &buffer, buffer.count)
                if count > 0 {
                    if index == 0 { stdout += buffer[0..<count] } else { stderr += buffer[0..<count] }
                } else if count == 0 || errno != EINTR {
                    close(outputs[index])
                    outputs[index] = -1
                }
            }
            if writing, fds[2].revents != 0 {
                let sent = pending.withUnsafeBytes { send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
                if sent > 0 {
                    pending = pending.dropFirst(sent)
                    if pending.isEmpty && closeWhenWritten { closeInput() }
                } else if errno != EAGAIN && errno != EINTR {
                    closeInput()  // it stopped reading (or ended): what is left has nobody to go to
                }
            }
        }
        return true
    }

    /// Ends the program's stdin.
    func closeInput() {
        pending = []
        guard input >= 0 else { return }
        close(input)
        input = -1
    }

    /// Kills the program and all it started (its process group).
    func kill() {
        _ = Glibc.kill(-pid, SIGKILL)
    }

    /// Waits for the program's end; its exit status (128 + signal when killed).
    func wait() -> Int32 {
        if let status { return status }
        let status = Subprocess.wait(pid)
        self.status = status
        return status
    }

    /// Waits for the program's end until `deadline`: its exit status, or nil when it still runs
    /// then (its output ended, and it went on without it).
    func wait(until deadline: ContinuousClock.Instant) -> Int32? {
        while status == nil {
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = Subprocess.exitStatus(raw)
            } else if result < 0 && errno != EINTR {
                return wait()  // ECHILD: reaped elsewhere, which cannot be (our child, waited for here only)
            } else if ContinuousClock.now >= deadline {
                return nil
            } else if result == 0 {
                usleep(10_000)
            }
        }
        return status
    }
}
