/* The N-API helpers every file of the one addon shares: reading arguments (each throws a
 * TypeError and returns -1 on a bad one), exporting a constant from this build's headers,
 * and one way to report a failed syscall: a JS Error with `code` (the errno name, e.g.
 * "EPERM"), `errno` and `syscall`, so TypeScript can name the missing capability or file. */
#ifndef HALB_NAPI_H
#define HALB_NAPI_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

napi_value halb_throw_errno(napi_env env, const char *syscall, int err);
int halb_get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
int halb_get_i32(napi_env env, napi_value v, int32_t *out);
int halb_get_str(napi_env env, napi_value v, char *buf, size_t len);
void halb_export_int(napi_env env, napi_value exports, const char *name, int value);

#endif
