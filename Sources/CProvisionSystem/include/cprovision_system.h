#ifndef CPROVISION_SYSTEM_H
#define CPROVISION_SYSTEM_H

/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE, Linux 3.15+).
/// glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module does not set.
int csystem_exchange_paths(const char *a, const char *b);

/// A pipe whose both ends are close-on-exec from the start (pipe2 with O_CLOEXEC), so no
/// child started meanwhile by another thread inherits them.
int csystem_pipe_cloexec(int fds[2]);

#endif
