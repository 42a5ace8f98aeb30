/*
 * halb_fs: the file-system calls Node has no API for. Today one: mkfifo(3), for
 * keepalived's notify FIFOs (notify_fifo, vrrp_notify_fifo, lvs_notify_fifo), which
 * halb creates, hands to their reader script and writes event lines into. Node can open,
 * write and unlink a FIFO, but cannot create one.
 */
#include <node_api.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include "halb_napi.h"

/* mkfifo(path, mode): throws with code EEXIST when the name exists (the caller decides). */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[PATH_MAX];
  int32_t mode;
  if (halb_get_args(env, info, 2, argv) || halb_get_str(env, argv[0], path, sizeof path) || halb_get_i32(env, argv[1], &mode)) return NULL;
  if (mkfifo(path, (mode_t)mode) != 0) return halb_throw_errno(env, "mkfifo", errno);
  return NULL;
}

/* Registered into halb_net's exports by its init (one addon, one .node file). */
napi_status halb_fs_register(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_default, NULL },
  };
  return napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
}
