/* One way every halb native call reports a failed syscall: a JS Error with `code` (the
 * errno name, e.g. "EPERM"), `errno` and `syscall`, so TypeScript can name the missing
 * capability or the file. */
#ifndef HALB_ERRNO_H
#define HALB_ERRNO_H
#include <node_api.h>

napi_value halb_throw_errno(napi_env env, const char *syscall, int err);

#endif
