{
  "targets": [
    {
      "target_name": "board_native",
      "sources": ["src/board_native.c"],
      "cflags": ["-O3", "-march=native", "-fno-math-errno", "-std=c11"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
