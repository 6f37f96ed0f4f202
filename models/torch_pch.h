// Precompiled header for every models/ target that uses LibTorch (see models/CMakeLists.txt):
// parsing the torch headers once per target instead of once per file is most of the build time.
#pragma once

#include <torch/torch.h>
