#include "halb_napi.h"
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

int halb_get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "wrong number of arguments");
    return -1;
  }
  return 0;
}

int halb_get_i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an integer");
    return -1;
  }
  return 0;
}

int halb_get_str(napi_env env, napi_value v, char *buf, size_t len) {
  size_t need;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &need) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string");
    return -1;
  }
  /* A truncated interface name or path would name another object: refuse it instead. */
  if (need >= len) {
    char msg[96];
    snprintf(msg, sizeof msg, "expected a string of at most %zu bytes, got %zu", len - 1, need);
    napi_throw_type_error(env, NULL, msg);
    return -1;
  }
  napi_get_value_string_utf8(env, v, buf, len, &need);
  return 0;
}

void halb_export_int(napi_env env, napi_value exports, const char *name, int value) {
  napi_value v;
  napi_create_int32(env, value, &v);
  napi_set_named_property(env, exports, name, v);
}
