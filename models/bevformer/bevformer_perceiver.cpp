#include "models/bevformer/bevformer_perceiver.h"

#include <ATen/Parallel.h>

#include <filesystem>
#include <vector>

#include "models/asset_dirs.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/bevformer/bevformer_runner.h"

namespace rs {

namespace {

class BevformerPerceiver final : public Perceiver {
public:
    BevformerPerceiver(Bevformer model, std::string weights_path)
        : runner_(std::move(model)), weights_path_(std::move(weights_path)) {}

    std::string description() const override {
        return "BEVFormer " + runner_.model()->config().name + " (" +
               std::filesystem::path(weights_path_).filename().string() + ")";
    }

    Perception perceive(const DetectionSample & sample, const std::vector<RgbImage> * images) override {
        PerceptionResult r = images ? runner_.run(sample, *images) : runner_.run(sample);
        Perception out;
        out.boxes = std::move(r.boxes);
        out.network_ms = r.network_ms;
        out.temporal = r.temporal;
        return out;
    }

    void reset() override { runner_.reset(); }

private:
    BevformerRunner runner_;
    std::string weights_path_;
};

}  // namespace

std::unique_ptr<Perceiver> open_bevformer_perceiver(const std::string & weights_path, const std::string & config_name,
                                                    int threads) {
    if (threads > 0) at::set_num_threads(threads);
    return std::make_unique<BevformerPerceiver>(load_bevformer(weights_path, config_name), weights_path);
}

std::string shipped_bevformer_weights() {
    namespace fs = std::filesystem;
    std::vector<fs::path> dirs;
    // An installed binary finds its package's share folder; a build-tree binary the source tree's.
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back(exe.parent_path() / ROADSIGHT_INSTALLED_ASSET_DIR);
    dirs.push_back(ROADSIGHT_ASSET_DIR);
    for (const fs::path & dir : dirs) {
        const fs::path path = dir / "bevformer_embedded.safetensors";
        if (fs::exists(path, ec)) return path.lexically_normal().string();
    }
    return {};
}

}  // namespace rs
