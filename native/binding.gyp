{
  "targets": [
    {
      "target_name": "halb_net",
      "sources": ["src/halb_net.c", "src/halb_shm.c", "src/halb_fs.c", "src/halb_napi.c", "src/halb_uv.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
