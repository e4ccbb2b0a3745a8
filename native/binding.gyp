{
  "variables": {
    # oneDNN is optional: with it, convolutions use its jit kernels; without it, im2col + OpenBLAS. SER_ONEDNN=0 opts out.
    "have_onednn": "<!(node -p \"process.env.SER_ONEDNN !== '0' && ['/usr/include', '/usr/local/include'].some((d) => require('fs').existsSync(d + '/oneapi/dnnl/dnnl.hpp')) ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "ser_kernels",
      "sources": [
        "src/addon.cc",
        "src/parallel.cc",
        "src/conv.cc",
        "src/conv_dnnl.cc",
        "src/matmul.cc",
        "src/pool.cc",
        "src/elementwise.cc",
        "src/batchnorm.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I openblas | sed -e 's/-I//g')"
      ],
      "libraries": ["<!@(pkg-config --libs openblas)", "-fopenmp"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-march=native", "-fopenmp"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags!": ["-fno-exceptions"],
      "conditions": [
        ["have_onednn==1", {
          "defines": ["SER_HAVE_DNNL"],
          "libraries": ["-ldnnl"]
        }]
      ]
    }
  ]
}
