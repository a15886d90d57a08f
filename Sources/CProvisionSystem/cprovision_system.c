#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "cprovision_system.h"

int csystem_exchange_paths(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int csystem_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

static volatile sig_atomic_t signal_pipe_write = -1;
static volatile sig_atomic_t interrupts = 0;

static void forward_signal(int number) {
    // A SIGINT after any interruption ends the process here and now, whatever the reader is
    // stuck on (a stalled terminal, say). The kernel drops the process's locks; files are
    // renamed into place, never half-written.
    if (number == SIGINT && interrupts > 0) _exit(130);
    interrupts = 1;
    int saved = errno;
    unsigned char byte = (unsigned char)number;
    (void)write(signal_pipe_write, &byte, 1);
    errno = saved;
}

int csystem_forward_signals(void) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    // Never block in the handler: with the reader stalled, a full pipe drops the byte instead.
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    // A second call replaces the first's pipe (its reader sees the end of it); the handlers
    // stay in place meanwhile, so no signal finds the default action.
    int previous = signal_pipe_write;
    interrupts = 0;
    signal_pipe_write = fds[1];
    if (previous >= 0) close(previous);
    struct sigaction action = {0};
    action.sa_handler = forward_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        csystem_restore_signals();
        close(fds[0]);
        return -1;
    }
    return fds[0];
}

void csystem_restore_signals(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int write_end = signal_pipe_write;
    signal_pipe_write = -1;
    if (write_end >= 0) close(write_end);
}

int csystem_keep_interrupts_from_this_thread(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}
