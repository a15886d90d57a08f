#ifndef PROVISION_CCURL_SHIM_H
#define PROVISION_CCURL_SHIM_H

/* The shims below pass each option through one typed parameter, so curl's compile-time
   option/type checks (gcc macros over the variadic calls) have nothing to add. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
   entry point per argument type. */

static inline CURLcode provision_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode provision_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode provision_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode provision_curl_set_write_function(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/* CURLAUTH_BASIC is a cast expression, which Swift does not import. */
static inline CURLcode provision_curl_use_basic_auth(CURL *handle) {
    return curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
}

static inline CURLcode provision_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
