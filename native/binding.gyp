{
  "variables": {
    # Off by default so a built addon runs on any x86-64 (an Electron build is shipped to other machines); oneDNN and
    # OpenBLAS pick AVX2/AVX-512 code at run time anyway. SER_NATIVE_MARCH=1 adds -march=native (~20% on the
    # element-wise kernels) for an addon that stays on the machine that built it.
    "native_march": "<!(node -p \"process.env.SER_NATIVE_MARCH === '1' ? 1 : 0\")",
    # oneDNN is optional: with it, convolutions use its jit kernels; without it, im2col + OpenBLAS. SER_ONEDNN=0 opts out.
    "have_onednn": "<!(node -p \"process.env.SER_ONEDNN !== '0' && ['/usr/include', '/usr/local/include'].some((d) => require('fs').existsSync(d + '/oneapi/dnnl/dnnl.hpp')) ? 1 : 0\")",
    # ser_features (feature-extraction fast path) needs FFTW3 (apt libfftw3-dev); without it only ser_kernels is built.
    "have_fftw": "<!(node -p \"['/usr/include', '/usr/local/include'].some((d) => require('fs').existsSync(d + '/fftw3.h')) ? 1 : 0\")"
  },
  "conditions": [
    ["have_fftw==1", {
      "targets": [
        {
          "target_name": "ser_features",
          "sources": ["src/spectrogram.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "libraries": ["-lfftw3"],
          "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
          # Reassociation lets GCC vectorise the mel and DCT sums (order of additions only; inputs are checked finite).
          "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"],
          "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
          "cflags!": ["-fno-exceptions"]
        }
      ]
    }]
  ],
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
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fopenmp"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags!": ["-fno-exceptions"],
      "conditions": [
        ["native_march==1", {
          "cflags_cc": ["-march=native"]
        }],
        ["have_onednn==1", {
          "defines": ["SER_HAVE_DNNL"],
          "libraries": ["-ldnnl"]
        }]
      ]
    }
  ]
}
