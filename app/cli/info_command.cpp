// `roadsight-cli info DIR`: what a nuScenes-format dataset holds.
#include <cstdio>
#include <stdexcept>
#include <map>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/dataset_folder.h"
#include "engine/nuscenes_reader.h"
#include "engine/object_class.h"

namespace rs {

int run_info_command(const std::vector<std::string> & argv) {
    Args args(argv, {"version"}, {"no-file-check"});
    if (args.positional().size() != 1) throw std::invalid_argument("usage: roadsight-cli info DIR [--version V]");
    const std::string root = args.positional()[0];
    LoadOptions lo;
    lo.check_files = !args.has("no-file-check");
    NuScenesDataset ds = load_nuscenes(root, find_version_folder(root, args.get("version", "")), lo);
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
