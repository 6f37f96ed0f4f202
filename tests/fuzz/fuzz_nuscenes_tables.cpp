// libFuzzer target for the nuScenes table reader. The first input byte picks a table, the rest
// replaces that table in a small valid dataset held in memory (no disk I/O). Loading must either
// fail with DatasetError or give a dataset whose index, projections and written tables are sound.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/nuscenes_reader.h"
#include "engine/nuscenes_writer.h"

namespace {

// One record per table, all links resolved: the starting point every input mutates.
const char * const kBaseline[rs::kNumNuTables] = {
    R"([{"token": "a1", "name": "vehicle.moving", "description": ""}])",
    R"([{"token": "cs1", "sensor_token": "s1", "translation": [1.7, 0.0, 1.5], "rotation": [0.5, -0.5, 0.5, -0.5],
        "camera_intrinsic": [[1266.4, 0.0, 816.3], [0.0, 1266.4, 491.5], [0.0, 0.0, 1.0]]},
       {"token": "cs2", "sensor_token": "s2", "translation": [0.9, 0.0, 1.8], "rotation": [1.0, 0.0, 0.0, 0.0],
        "camera_intrinsic": []}])",
    R"([{"token": "c1", "name": "vehicle.car", "description": "", "index": 17}])",
    R"([{"token": "e1", "timestamp": 1532402927612460, "rotation": [0.572, -0.002, 0.0116, -0.8202],
        "translation": [411.4, 1181.2, 0.0]}])",
    R"([{"token": "i1", "category_token": "c1", "nbr_annotations": 1, "first_annotation_token": "n1",
        "last_annotation_token": "n1"}])",
    R"([{"token": "l1", "logfile": "n015", "vehicle": "n015", "date_captured": "2018-07-24",
        "location": "singapore-onenorth"}])",
    R"([{"category": "semantic_prior", "token": "m1", "filename": "maps/m1.png", "log_tokens": ["l1"]}])",
    R"([{"token": "p1", "timestamp": 1532402927647951, "prev": "", "next": "", "scene_token": "sc1"}])",
    R"([{"token": "n1", "sample_token": "p1", "instance_token": "i1", "visibility_token": "4",
        "attribute_tokens": ["a1"], "translation": [373.3, 1130.4, 0.8], "size": [1.9, 4.6, 1.7],
        "rotation": [0.983, 0.0, 0.0, -0.183], "prev": "", "next": "", "num_lidar_pts": 5, "num_radar_pts": 0}])",
    R"([{"token": "d1", "sample_token": "p1", "ego_pose_token": "e1", "calibrated_sensor_token": "cs1",
        "timestamp": 1532402927612460, "fileformat": "jpg", "is_key_frame": true, "height": 900, "width": 1600,
        "filename": "samples/CAM_FRONT/x.jpg", "prev": "", "next": ""},
       {"token": "d2", "sample_token": "p1", "ego_pose_token": "e1", "calibrated_sensor_token": "cs2",
        "timestamp": 1532402927647951, "fileformat": "pcd", "is_key_frame": true, "height": 0, "width": 0,
        "filename": "samples/LIDAR_TOP/x.pcd.bin", "prev": "", "next": ""}])",
    R"([{"token": "sc1", "log_token": "l1", "nbr_samples": 1, "first_sample_token": "p1",
        "last_sample_token": "p1", "name": "scene-0061", "description": ""}])",
    R"([{"token": "s1", "channel": "CAM_FRONT", "modality": "camera"},
       {"token": "s2", "channel": "LIDAR_TOP", "modality": "lidar"}])",
    R"([{"description": "", "token": "4", "level": "v80-100"}])",
};

void exercise(const rs::NuScenesDataset & ds) {
    const rs::NuScenesTables & t = ds.tables();
    double sink = 0;
    for (size_t s = 0; s < t.sample.size(); ++s) {
        for (const auto & c : ds.sample_data_of(s)) {
            if (ds.key_frame(s, c.channel) != c.sample_data) std::abort();
            sink += static_cast<double>(ds.sensor_of(c.sample_data).channel.size());
            for (size_t a : ds.annotations_of(s)) {
                sink += static_cast<double>(ds.category_name(a).size());
                if (auto p = ds.project_annotation(a, c.sample_data)) sink += p->depth;
            }
        }
    }
    for (size_t l = 0; l < t.log.size(); ++l)
        if (auto m = ds.map_of(l); m && *m >= t.map.size()) std::abort();
    if (sink == 1.2345) std::abort();  // keeps the work from being optimised away
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    if (size == 0) return 0;
    const auto chosen = static_cast<rs::NuTable>(data[0] % rs::kNumNuTables);
    std::string_view input(reinterpret_cast<const char *>(data + 1), size - 1);
    rs::LoadOptions opt;
    opt.check_files = false;
    rs::NuScenesTables tables;
    try {
        for (int i = 0; i < rs::kNumNuTables; ++i) {
            auto table = static_cast<rs::NuTable>(i);
            rs::parse_nuscenes_table(table, table == chosen ? input : std::string_view(kBaseline[i]),
                                     rs::kNuTableNames[i], tables, opt);
        }
    } catch (const rs::DatasetError &) {
        return 0;
    }
    // Whatever parsed must write back and re-read to the same text.
    std::string written = rs::nuscenes_table_json(tables, chosen);
    rs::NuScenesTables again;
    try {
        rs::parse_nuscenes_table(chosen, written, "written", again, opt);
    } catch (const rs::DatasetError &) {
        std::abort();
    }
    if (rs::nuscenes_table_json(again, chosen) != written) std::abort();
    try {
        rs::NuScenesDataset ds("/fuzz", "v1.0-mini", std::move(tables), opt);
        exercise(ds);
    } catch (const rs::DatasetError &) {
        return 0;
    }
    return 0;
}
