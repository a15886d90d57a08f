#ifndef PROVISION_CLIBSSH2_SHIM_H
#define PROVISION_CLIBSSH2_SHIM_H

#include <string.h>
#include <libssh2.h>

/* libssh2 spells several calls as function-like macros, which Swift cannot call. */

static inline LIBSSH2_SESSION *provision_ssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline LIBSSH2_CHANNEL *provision_ssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int provision_ssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command, unsigned int length) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, length);
}

static inline ssize_t provision_ssh2_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t size) {
    return libssh2_channel_read_ex(channel, stream, buffer, size);
}

static inline ssize_t provision_ssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t size) {
    return libssh2_channel_write_ex(channel, 0, buffer, size);
}

static inline int provision_ssh2_channel_send_eof(LIBSSH2_CHANNEL *channel) {
    return libssh2_channel_send_eof(channel);
}

static inline int provision_ssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *user,
                                                            const char *privatekey, const char *passphrase) {
    return libssh2_userauth_publickey_fromfile_ex(session, user, (unsigned int)strlen(user), NULL, privatekey, passphrase);
}

static inline int provision_ssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

#endif
