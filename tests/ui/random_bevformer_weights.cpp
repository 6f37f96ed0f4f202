#include "tests/ui/random_bevformer_weights.h"

#include <torch/torch.h>

#include "models/bevformer/bevformer.h"
#include "models/weights.h"

namespace rs {

void write_random_bevformer_weights(const std::string & path, const std::string & config) {
    torch::manual_seed(3);
    Bevformer model(BevformerConfig::named(config));
    save_weights(*model, path, {{"config", config}});
}

}  // namespace rs
