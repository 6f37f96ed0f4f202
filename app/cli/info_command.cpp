// `roadsight-cli info DIR`: what a nuScenes-format dataset holds.
#include <cstdio>
#include <map>
#include <stdexcept>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/annotation_stats.h"
#include "engine/dataset_folder.h"
#include "engine/nuscenes_reader.h"

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

    int64_t with_points = 0;
    const std::map<std::string, ClassAnnotationStats> stats = annotation_stats(ds);
    for (const auto & [name, s] : stats) with_points += s.with_points;
    std::printf("annotations per detection class (%lld with lidar or radar points); moving: faster than %.1f m/s\n"
                "by the devkit's annotation velocity, share of those that have one:\n",
                (long long)with_points, kMovingSpeed);
    std::printf("  %-24s %11s %8s %18s\n", "class", "annotations", "moving", "mean moving speed");
    for (const auto & [name, s] : stats) {
        if (s.with_velocity == 0) {
            std::printf("  %-24s %11lld %8s %18s\n", name.c_str(), (long long)s.annotations, "-", "-");
            continue;
        }
        std::printf("  %-24s %11lld %7.1f%% %14.2f m/s\n", name.c_str(), (long long)s.annotations, 100.0 * s.moving_share(),
                    s.mean_moving_speed());
    }

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
