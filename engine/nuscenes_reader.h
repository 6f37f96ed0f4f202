// Loads a nuScenes v1.0 dataset (<dataroot>/<version>/<table>.json), checks it, and builds the
// reverse index the devkit's NuScenes class builds (__make_reverse_index__). Every problem in the
// files is reported as a DatasetError naming the file, table, record token and field.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/box3d.h"
#include "engine/dataset_error.h"
#include "engine/geometry.h"
#include "engine/job.h"
#include "engine/nuscenes_tables.h"

namespace rs {

struct LoadOptions {
    bool check_files = true;             // every sample_data and map file must exist under the dataroot
    double quaternion_tolerance = 1e-3;  // largest accepted | |q| - 1 |
    const JobContext * job = nullptr;    // progress per table; cancellation between tables
};

// Parses one table's JSON text and appends its records to the matching vector of `tables`,
// checking each record on its own: fields present with the right types, finite numbers, unit
// quaternions, non-negative sizes and counts. `source` (the file path) prefixes every error.
void parse_nuscenes_table(NuTable table, std::string_view json_text, const std::string & source,
                          NuScenesTables & tables, const LoadOptions & opt = {});

class NuScenesDataset {
public:
    // Checks the links between tables (and the files, with opt.check_files), then indexes them.
    NuScenesDataset(std::string dataroot, std::string version, NuScenesTables tables, const LoadOptions & opt = {});

    // The token index points into the tables, so the dataset moves but does not copy.
    NuScenesDataset(NuScenesDataset &&) = default;
    NuScenesDataset & operator=(NuScenesDataset &&) = default;
    NuScenesDataset(const NuScenesDataset &) = delete;
    NuScenesDataset & operator=(const NuScenesDataset &) = delete;

    const std::string & dataroot() const { return dataroot_; }
    const std::string & version() const { return version_; }
    const NuScenesTables & tables() const { return tables_; }
    std::string table_path(NuTable table) const;  // <dataroot>/<version>/<table>.json

    // Position of a record in its table.
    std::optional<size_t> find(NuTable table, std::string_view token) const;
    size_t index(NuTable table, std::string_view token) const;  // throws DatasetError for an unknown token

    // sample.data: the key-frame sample_data of each channel, channels in order of first appearance
    // in the sample_data table (a later key frame of the same channel replaces the earlier one).
    struct ChannelData {
        std::string channel;
        size_t sample_data;
    };
    const std::vector<ChannelData> & sample_data_of(size_t sample) const { return sample_data_[sample]; }
    std::optional<size_t> key_frame(size_t sample, std::string_view channel) const;
    // sample.anns: the sample's annotations in table order (this order fixes the GT order in evaluation).
    const std::vector<size_t> & annotations_of(size_t sample) const { return annotations_[sample]; }
    // sample_annotation.category_name, through instance -> category.
    const std::string & category_name(size_t annotation) const;
    // sample_data.channel / sensor_modality, through calibrated_sensor -> sensor.
    const NuSensor & sensor_of(size_t sample_data) const;
    const NuEgoPose & ego_pose_of(size_t sample_data) const;
    const NuCalibratedSensor & calibrated_sensor_of(size_t sample_data) const;
    // log.map_token, through map.log_tokens.
    std::optional<size_t> map_of(size_t log) const { return log_map_[log]; }

    Pose ego_to_global(size_t sample_data) const;
    Pose sensor_to_ego(size_t sample_data) const;
    Box3D annotation_box(size_t annotation) const;  // global frame
    // Global -> ego (the sample_data's own ego pose) -> sensor, as the devkit's get_sample_data.
    Box3D box_in_sensor(size_t annotation, size_t sample_data) const;
    // The box in the sample_data's image; none for sensors without intrinsics (lidar, radar).
    std::optional<ProjectedBox> project_annotation(size_t annotation, size_t sample_data) const;

private:
    void build_token_index();
    void check_links() const;
    void check_files() const;
    void build_reverse_index();

    std::string dataroot_;
    std::string version_;
    NuScenesTables tables_;
    // Keys view the tokens stored in tables_, which never change after construction.
    std::array<std::unordered_map<std::string_view, size_t>, kNumNuTables> token_index_;
    std::vector<std::vector<ChannelData>> sample_data_;
    std::vector<std::vector<size_t>> annotations_;
    std::vector<size_t> annotation_category_;
    std::vector<size_t> sample_data_sensor_;
    std::vector<size_t> sample_data_ego_pose_;
    std::vector<size_t> sample_data_calibrated_sensor_;
    std::vector<std::optional<size_t>> log_map_;
};

// Reads all 13 tables of <dataroot>/<version>/ and builds the dataset.
NuScenesDataset load_nuscenes(const std::string & dataroot, const std::string & version,
                              const LoadOptions & opt = {});

}  // namespace rs
