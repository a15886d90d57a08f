#ifndef CPROVISION_SYSTEM_H
#define CPROVISION_SYSTEM_H

/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE, Linux 3.15+).
/// glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module does not set.
int csystem_exchange_paths(const char *a, const char *b);

/// A pipe whose both ends are close-on-exec from the start (pipe2 with O_CLOEXEC), so no
/// child started meanwhile by another thread inherits them.
int csystem_pipe_cloexec(int fds[2]);

/// Catches SIGINT and SIGTERM with a handler that writes the signal's number (one byte) to a
/// close-on-exec pipe and returns the pipe's read end (-1 on failure). A plain handler, not a
/// dispatch signal source: those need the signal blocked in every thread (signalfd), which
/// threads started by libraries (SwiftNIO's, for the install server) do not all do, and an
/// ignored, unblocked signal is dropped. csystem_restore_signals puts the defaults back and
/// closes the pipe's write end (its reader then sees the end of the pipe). A SIGINT after
/// an earlier SIGINT or SIGTERM ends the process at once (exit status 130), from the handler.
int csystem_forward_signals(void);
void csystem_restore_signals(void);

/// Blocks SIGINT and SIGTERM in the calling thread, so the kernel hands them to another one.
/// For threads that wait inside libssh2 or libcurl: a handler running on such a thread
/// interrupts its poll(), which libssh2 1.10 reports as a timeout ("Error waiting on socket")
/// and so fails the command in flight that an interruption means to let finish.
int csystem_keep_interrupts_from_this_thread(void);

#endif
