/*
 * halb_shm: one anonymous shared memory segment (memfd) that every process of one halb
 * maps MAP_SHARED, so the proxy's worker processes schedule from one state (see
 * docs/dataplane-proxy.md). Node has no API for MAP_SHARED memory between processes
 * that fork+exec: the daemon creates the memfd, passes the descriptor to each worker
 * in its stdio array, and each process maps it here. JS sees the mapping as an
 * external ArrayBuffer and updates it with Atomics (locked instructions work across
 * processes on the same mapping). No layout or policy lives here.
 *
 * Errors throw a JS Error with `code` (errno name) and `syscall`.
 */
#include <node_api.h>
#include "halb_napi.h"
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

/* Map `fd` shared, whole; the mapping lives as long as the returned ArrayBuffer. */
static napi_value map_fd(napi_env env, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return halb_throw_errno(env, "fstat", errno);
  if (st.st_size <= 0) return halb_throw_errno(env, "mmap", EINVAL);
  size_t len = (size_t)st.st_size;
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return halb_throw_errno(env, "mmap", errno);
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, len, unmap, (void *)(uintptr_t)len, &ab) != napi_ok) {
    munmap(p, len);
    napi_throw_error(env, NULL, "napi_create_external_arraybuffer failed");
    return NULL;
  }
  return ab;
}

static int arg_i32(napi_env env, napi_callback_info info, int32_t *out) {
  napi_value argv[1];
  return halb_get_args(env, info, 1, argv) || halb_get_i32(env, argv[0], out) ? -1 : 0;
}

/* create(bytes) -> fd: a zero-filled memfd of that size (pages are allocated on first touch). */
static napi_value js_create(napi_env env, napi_callback_info info) {
  int32_t bytes;
  if (arg_i32(env, info, &bytes) != 0) return NULL;
  if (bytes <= 0) return halb_throw_errno(env, "memfd_create", EINVAL);
  /* Close-on-exec: only the workers it is handed to (as a stdio fd) get it. */
  int fd = memfd_create("halb-sched", MFD_CLOEXEC);
  if (fd < 0) return halb_throw_errno(env, "memfd_create", errno);
  if (ftruncate(fd, bytes) != 0) {
    int e = errno;
    close(fd);
    return halb_throw_errno(env, "ftruncate", e);
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* map(fd) -> ArrayBuffer over the whole segment. */
static napi_value js_map(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (arg_i32(env, info, &fd) != 0) return NULL;
  return map_fd(env, fd);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (arg_i32(env, info, &fd) != 0) return NULL;
  if (close(fd) != 0) return halb_throw_errno(env, "close", errno);
  return NULL;
}

/* Give the CPU away while another process holds a scheduling lock (2 cores, N processes). */
static napi_value js_yield(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  sched_yield();
  return NULL;
}

/* Registered into halb_net's exports by its init (one addon, one .node file: what
 * node-gyp-build and the prebuilds load). */
napi_status halb_shm_register(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "shmCreate", NULL, js_create, NULL, NULL, NULL, napi_default, NULL },
    { "shmMap", NULL, js_map, NULL, NULL, NULL, napi_default, NULL },
    { "shmClose", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "shmYield", NULL, js_yield, NULL, NULL, NULL, napi_default, NULL },
  };
  return napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
}
