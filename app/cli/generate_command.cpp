// `roadsight-cli generate`: procedural scenes -> nuScenes-format dataset.
#include <cstdio>
#include <stdexcept>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/progress_bar.h"
#include "engine/dataset_generator.h"
#include "render/offscreen_camera_renderer.h"

namespace rs {

int run_generate_command(const std::vector<std::string> & argv) {
    Args args(argv,
              {"scenes", "seconds", "seed", "out", "width", "height", "version", "jpeg-quality", "traffic",
               "pedestrians", "town-blocks", "time-of-day", "split"},
              {"no-lidar-sweeps"});
    if (!args.positional().empty()) throw std::invalid_argument("unexpected argument '" + args.positional()[0] + "'");
    GenerateOptions opt;
    opt.out_dir = args.require("out");
    opt.scenes = int(args.get_int("scenes", 1, 1, 100000));
    opt.seconds = args.get_double("seconds", 20.0, 0.5, 3600.0);
    opt.seed = uint64_t(args.get_int("seed", 1, 0, INT64_MAX));
    opt.width = int(args.get_int("width", 1600, 16, 8192));
    opt.height = int(args.get_int("height", 900, 16, 8192));
    opt.version = args.get("version", "v1.0-trainval");
    opt.split = args.get("split", "train");
    opt.jpeg_quality = int(args.get_int("jpeg-quality", 90, 1, 100));
    opt.lidar_sweeps = !args.has("no-lidar-sweeps");
    opt.scenario.traffic_density = args.get_double("traffic", opt.scenario.traffic_density, 0.0, 1.0);
    opt.scenario.pedestrian_density = args.get_double("pedestrians", opt.scenario.pedestrian_density, 0.0, 1.0);
    opt.scenario.town_blocks = int(args.get_int("town-blocks", opt.scenario.town_blocks, 2, 16));
    opt.scenario.time_of_day = args.get_double("time-of-day", opt.scenario.time_of_day, 0.0, 24.0);

    OffscreenCameraRenderer renderer;
    std::fprintf(stderr, "rendering on %s\n", renderer.device_name().c_str());
    ProgressBar bar("generate");
    JobContext job([&](int64_t done, int64_t total, const std::string & stage) { bar.update(done, total, stage); });
    GenerateSummary s = generate_dataset(opt, renderer, job);
    bar.finish();
    std::printf("wrote %s: %d scenes, %d samples, %d sample_data (%d camera frames, %d lidar sweeps), "
                "%d annotations of %d instances in %.1f s (%.2f camera frames/s)\n",
                opt.out_dir.c_str(), s.scenes, s.samples, s.sample_data, s.camera_frames, s.lidar_sweeps,
                s.annotations, s.instances, s.seconds_wall, s.camera_frames / s.seconds_wall);
    return 0;
}

}  // namespace rs
