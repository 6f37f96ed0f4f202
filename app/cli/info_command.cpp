// `roadsight-cli info DIR`: what a nuScenes-format dataset holds.
#include <cstdio>
#include <stdexcept>
#include <filesystem>
#include <map>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/nuscenes_reader.h"
#include "engine/object_class.h"

namespace rs {

namespace {

// The version folder: the one asked for, else the only v1.0-* folder present.
std::string find_version(const std::string & root, const std::string & asked) {
    if (!asked.empty()) return asked;
    std::string found;
    std::error_code ec;
    for (const auto & e : std::filesystem::directory_iterator(root, ec)) {
        std::string n = e.path().filename().string();
        if (e.is_directory() && n.rfind("v1.0-", 0) == 0) {
            if (!found.empty()) throw std::invalid_argument(root + " holds several versions; pick one with --version");
            found = n;
        }
    }
    if (ec) throw std::invalid_argument("cannot read folder " + root + ": " + ec.message());
    if (found.empty()) throw std::invalid_argument(root + " has no v1.0-* table folder");
    return found;
}

}  // namespace

int run_info_command(const std::vector<std::string> & argv) {
    Args args(argv, {"version"}, {"no-file-check"});
    if (args.positional().size() != 1) throw std::invalid_argument("usage: roadsight-cli info DIR [--version V]");
    const std::string root = args.positional()[0];
    LoadOptions lo;
    lo.check_files = !args.has("no-file-check");
    NuScenesDataset ds = load_nuscenes(root, find_version(root, args.get("version", "")), lo);
    const NuScenesTables & t = ds.tables();

    std::printf("dataset  %s (%s)\n", root.c_str(), ds.version().c_str());
    std::printf("scenes %zu, samples %zu, sample_data %zu, annotations %zu, instances %zu, logs %zu, maps %zu\n",
                t.scene.size(), t.sample.size(), t.sample_data.size(), t.sample_annotation.size(), t.instance.size(),
                t.log.size(), t.map.size());
    for (const NuScene & s : t.scene) {
        const NuLog & log = t.log[ds.index(NuTable::log, s.log_token)];
        std::printf("  %-12s %3lld samples  %-24s %s\n", s.name.c_str(), (long long)s.nbr_samples,
                    log.location.c_str(), s.description.c_str());
    }

    std::map<std::string, int> per_class, per_category;
    int with_points = 0;
    for (size_t a = 0; a < t.sample_annotation.size(); ++a) {
        const std::string & cat = ds.category_name(a);
        per_category[cat]++;
        auto cls = class_from_category(cat);
        per_class[cls ? class_name(*cls) : "(not a detection class)"]++;
        with_points += t.sample_annotation[a].num_lidar_pts > 0;
    }
    std::printf("annotations per detection class (%d with lidar points):\n", with_points);
    for (const auto & [name, n] : per_class) std::printf("  %-22s %7d\n", name.c_str(), n);

    std::printf("sensors and calibration (first record per channel):\n");
    std::map<std::string, bool> shown;
    for (size_t i = 0; i < t.sample_data.size(); ++i) {
        const NuSensor & sensor = ds.sensor_of(i);
        if (shown[sensor.channel]) continue;
        shown[sensor.channel] = true;
        const NuCalibratedSensor & cs = ds.calibrated_sensor_of(i);
        const NuSampleData & sd = t.sample_data[i];
        std::printf("  %-16s %-6s t=(%.3f, %.3f, %.3f) q=(%.4f, %.4f, %.4f, %.4f)", sensor.channel.c_str(),
                    sensor.modality.c_str(), cs.translation.x, cs.translation.y, cs.translation.z, cs.rotation.w,
                    cs.rotation.x, cs.rotation.y, cs.rotation.z);
        if (cs.camera_intrinsic) {
            const Mat3 & k = *cs.camera_intrinsic;
            std::printf(" %lldx%lld f=%.1f c=(%.1f, %.1f)", (long long)sd.width, (long long)sd.height, k(0, 0), k(0, 2),
                        k(1, 2));
        }
        std::printf("\n");
    }
    return 0;
}

}  // namespace rs
