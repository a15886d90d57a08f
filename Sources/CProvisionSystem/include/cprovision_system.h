#ifndef CPROVISION_SYSTEM_H
#define CPROVISION_SYSTEM_H

/// Atomically exchanges two paths (renameat2 with RENAME_EXCHANGE, Linux 3.15+).
/// glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module does not set.
int csystem_exchange_paths(const char *a, const char *b);

#endif
