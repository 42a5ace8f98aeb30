#include "halb_errno.h"
#include <stdio.h>
#include <string.h>

napi_value halb_throw_errno(napi_env env, const char *syscall, int err) {
  napi_value msg, code, sc, error, errnum;
  char buf[256];
  const char *name = strerrorname_np(err);
  snprintf(buf, sizeof buf, "%s failed: %s (%s)", syscall, strerror(err), name ? name : "?");
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_create_error(env, code, msg, &error);
  napi_set_named_property(env, error, "syscall", sc);
  napi_create_int32(env, err, &errnum);
  napi_set_named_property(env, error, "errno", errnum);
  napi_throw(env, error);
  return NULL;
}
