/*
 * halb_uv: what Node gives no handle for, through libuv: readiness of a raw, packet or
 * netlink socket (uv_poll, so the event loop reads it when it has data) and the
 * real-time signals keepalived uses (SIGRTMIN+n, uv_signal). Registered into halb_net's
 * exports by its init.
 */
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include "halb_napi.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "N-API call failed: " #call); return NULL; } } while (0)

/* ---- readiness through uv_poll ---- */

typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  int closing;
  /* The environment is being torn down (worker thread exit): N-API calls are unsafe. */
  int env_gone;
} poll_ctx;

static void on_poll_closed(uv_handle_t *h) {
  poll_ctx *p = (poll_ctx *)h->data;
  if (!p->env_gone) napi_delete_reference(p->env, p->callback);
  free(p);
}

/*
 * Environment cleanup (a worker thread ending, or the main thread exiting) with a poll
 * still running: close its handle, or Node aborts on uv_loop_close() with open handles.
 */
static void poll_env_cleanup(void *arg) {
  poll_ctx *p = (poll_ctx *)arg;
  if (p->closing) return;
  p->closing = 1;
  p->env_gone = 1;
  uv_poll_stop(&p->handle);
  uv_close((uv_handle_t *)&p->handle, on_poll_closed);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  poll_ctx *p = (poll_ctx *)h->data;
  if (p->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(p->env, &scope);
  napi_value cb, global, args[2];
  napi_get_reference_value(p->env, p->callback, &cb);
  napi_get_global(p->env, &global);
  napi_create_int32(p->env, status, &args[0]);
  napi_create_int32(p->env, events, &args[1]);
  napi_value result;
  if (napi_call_function(p->env, global, cb, 2, args, &result) == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(p->env, &exc);
    napi_fatal_exception(p->env, exc);
  }
  napi_close_handle_scope(p->env, scope);
}

static void poll_finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)data; (void)hint;
}

/* pollStart(fd, callback(status, events)) -> handle; pollStop(handle). Readable events only. */
static napi_value js_poll_start(napi_env env, napi_callback_info info) {
  napi_value argv[2], ext;
  int32_t fd;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &fd)) return NULL;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  poll_ctx *p = calloc(1, sizeof *p);
  if (p == NULL) return halb_throw_errno(env, "calloc", ENOMEM);
  p->env = env;
  CHECK(napi_create_reference(env, argv[1], 1, &p->callback));
  int r = uv_poll_init(loop, &p->handle, fd);
  if (r < 0) { napi_delete_reference(env, p->callback); free(p); return halb_throw_errno(env, "uv_poll_init", -r); }
  p->handle.data = p;
  r = uv_poll_start(&p->handle, UV_READABLE, on_poll);
  if (r < 0) { uv_close((uv_handle_t *)&p->handle, on_poll_closed); return halb_throw_errno(env, "uv_poll_start", -r); }
  CHECK(napi_add_env_cleanup_hook(env, poll_env_cleanup, p));
  CHECK(napi_create_external(env, p, poll_finalize, NULL, &ext));
  return ext;
}

static napi_value js_poll_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  if (halb_get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) { napi_throw_type_error(env, NULL, "expected a poll handle"); return NULL; }
  poll_ctx *p = (poll_ctx *)data;
  if (!p->closing) {
    napi_remove_env_cleanup_hook(env, poll_env_cleanup, p);
    p->closing = 1;
    uv_poll_stop(&p->handle);
    uv_close((uv_handle_t *)&p->handle, on_poll_closed);
  }
  return NULL;
}

/* ---- signals Node cannot name (SIGRTMIN+n) through uv_signal ---- */

/*
 * Node's process.on() only knows the signal names in os.constants.signals, which has no
 * real-time signals, and an RT signal's default action terminates the process. libuv's
 * uv_signal accepts any number: its handler is process-wide and only writes to a pipe,
 * so the callback runs on the loop thread whichever thread the kernel picked.
 */
typedef struct {
  uv_signal_t handle;
  napi_env env;
  napi_ref callback;
  int closing;
  int env_gone;
} signal_ctx;

static void on_signal_closed(uv_handle_t *h) {
  signal_ctx *c = (signal_ctx *)h->data;
  if (!c->env_gone) napi_delete_reference(c->env, c->callback);
  free(c);
}

static void signal_env_cleanup(void *arg) {
  signal_ctx *c = (signal_ctx *)arg;
  if (c->closing) return;
  c->closing = 1;
  c->env_gone = 1;
  uv_signal_stop(&c->handle);
  uv_close((uv_handle_t *)&c->handle, on_signal_closed);
}

static void on_signal(uv_signal_t *h, int signum) {
  signal_ctx *c = (signal_ctx *)h->data;
  if (c->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(c->env, &scope);
  napi_value cb, global, arg, result;
  napi_get_reference_value(c->env, c->callback, &cb);
  napi_get_global(c->env, &global);
  napi_create_int32(c->env, signum, &arg);
  if (napi_call_function(c->env, global, cb, 1, &arg, &result) == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(c->env, &exc);
    napi_fatal_exception(c->env, exc);
  }
  napi_close_handle_scope(c->env, scope);
}

/* signalStart(signum, callback(signum)) -> handle; the handle does not keep the loop alive. */
static napi_value js_signal_start(napi_env env, napi_callback_info info) {
  napi_value argv[2], ext;
  int32_t signum;
  if (halb_get_args(env, info, 2, argv) || halb_get_i32(env, argv[0], &signum)) return NULL;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  signal_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) return halb_throw_errno(env, "calloc", ENOMEM);
  c->env = env;
  CHECK(napi_create_reference(env, argv[1], 1, &c->callback));
  int r = uv_signal_init(loop, &c->handle);
  if (r < 0) { napi_delete_reference(env, c->callback); free(c); return halb_throw_errno(env, "uv_signal_init", -r); }
  c->handle.data = c;
  r = uv_signal_start(&c->handle, on_signal, signum);
  if (r < 0) { c->closing = 1; uv_close((uv_handle_t *)&c->handle, on_signal_closed); return halb_throw_errno(env, "uv_signal_start", -r); }
  uv_unref((uv_handle_t *)&c->handle);
  CHECK(napi_add_env_cleanup_hook(env, signal_env_cleanup, c));
  CHECK(napi_create_external(env, c, poll_finalize, NULL, &ext));
  return ext;
}

static napi_value js_signal_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  if (halb_get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) { napi_throw_type_error(env, NULL, "expected a signal handle"); return NULL; }
  signal_ctx *c = (signal_ctx *)data;
  if (!c->closing) {
    napi_remove_env_cleanup_hook(env, signal_env_cleanup, c);
    c->closing = 1;
    uv_signal_stop(&c->handle);
    uv_close((uv_handle_t *)&c->handle, on_signal_closed);
  }
  return NULL;
}


napi_status halb_uv_register(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "pollStart", NULL, js_poll_start, NULL, NULL, NULL, napi_default, NULL },
    { "pollStop", NULL, js_poll_stop, NULL, NULL, NULL, napi_default, NULL },
    { "signalStart", NULL, js_signal_start, NULL, NULL, NULL, napi_default, NULL },
    { "signalStop", NULL, js_signal_stop, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_status st = napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  if (st != napi_ok) return st;
  halb_export_int(env, exports, "UV_READABLE", UV_READABLE);
  /* glibc reserves the first RT signals for itself: SIGRTMIN is a run-time value. */
  halb_export_int(env, exports, "SIGRTMIN", SIGRTMIN);
  halb_export_int(env, exports, "SIGRTMAX", SIGRTMAX);
  return napi_ok;
}
