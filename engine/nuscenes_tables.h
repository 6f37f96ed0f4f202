// The 13 tables of a nuScenes v1.0 dataset as plain records, field names as in the JSON files
// (docs/schema_nuscenes.md). Tokens are strings; "" means "no link" in prev/next-style fields.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/geometry.h"

namespace rs {

// Tables in the order NuScenesTables holds them (alphabetical, as the devkit lists them).
enum class NuTable : int {
    attribute, calibrated_sensor, category, ego_pose, instance, log, map, sample, sample_annotation,
    sample_data, scene, sensor, visibility
};

constexpr int kNumNuTables = 13;

// File stem of each table: "sample_annotation" -> <dataroot>/<version>/sample_annotation.json.
constexpr std::array<const char *, kNumNuTables> kNuTableNames = {
    "attribute", "calibrated_sensor", "category", "ego_pose", "instance", "log", "map", "sample",
    "sample_annotation", "sample_data", "scene", "sensor", "visibility"};

inline const char * nu_table_name(NuTable t) { return kNuTableNames[static_cast<int>(t)]; }

struct NuAttribute {
    std::string token;
    std::string name;         // e.g. vehicle.parked
    std::string description;
};

// Sensor -> ego.
struct NuCalibratedSensor {
    std::string token;
    std::string sensor_token;
    Vec3 translation;                     // metres
    Quat rotation;                        // w, x, y, z
    std::optional<Mat3> camera_intrinsic; // row-major K; absent ([] in the file) for non-cameras
};

struct NuCategory {
    std::string token;
    std::string name;                     // dotted, e.g. human.pedestrian.adult
    std::string description;
    std::optional<int64_t> index;         // lidarseg class index; only in newer files
};

// Ego -> global at one timestamp.
struct NuEgoPose {
    std::string token;
    int64_t timestamp = 0;                // Unix time, microseconds
    Quat rotation;
    Vec3 translation;                     // z is always 0
};

struct NuInstance {
    std::string token;
    std::string category_token;
    int64_t nbr_annotations = 0;
    std::string first_annotation_token;
    std::string last_annotation_token;
};

struct NuLog {
    std::string token;
    std::string logfile;
    std::string vehicle;
    std::string date_captured;            // YYYY-MM-DD
    std::string location;                 // e.g. singapore-onenorth
};

struct NuMap {
    std::string category;                 // semantic_prior
    std::string token;
    std::string filename;                 // maps/<hash>.png, relative to the dataroot
    std::vector<std::string> log_tokens;
};

struct NuSample {
    std::string token;
    int64_t timestamp = 0;
    std::string prev;
    std::string next;
    std::string scene_token;
};

// A box in the global frame.
struct NuSampleAnnotation {
    std::string token;
    std::string sample_token;
    std::string instance_token;
    std::string visibility_token;         // "" when not annotated
    std::vector<std::string> attribute_tokens;
    Vec3 translation;                     // box centre
    Vec3 size;                            // width, length, height
    Quat rotation;
    std::string prev;
    std::string next;
    int64_t num_lidar_pts = 0;
    int64_t num_radar_pts = 0;
};

struct NuSampleData {
    std::string token;
    std::string sample_token;
    std::string ego_pose_token;
    std::string calibrated_sensor_token;
    int64_t timestamp = 0;
    std::string fileformat;               // jpg, pcd
    bool is_key_frame = false;
    int64_t height = 0;                   // 0 for non-cameras
    int64_t width = 0;
    std::string filename;                 // relative to the dataroot
    std::string prev;
    std::string next;
};

struct NuScene {
    std::string token;
    std::string log_token;
    int64_t nbr_samples = 0;
    std::string first_sample_token;
    std::string last_sample_token;
    std::string name;                     // e.g. scene-0061
    std::string description;
};

struct NuSensor {
    std::string token;
    std::string channel;                  // CAM_FRONT, LIDAR_TOP, ...
    std::string modality;                 // camera, lidar, radar
};

struct NuVisibility {
    std::string description;
    std::string token;                    // "1".."4"
    std::string level;                    // v0-40, ...
};

// Struct member order above is the field order of the real nuScenes files, which the writer keeps.
struct NuScenesTables {
    std::vector<NuAttribute> attribute;
    std::vector<NuCalibratedSensor> calibrated_sensor;
    std::vector<NuCategory> category;
    std::vector<NuEgoPose> ego_pose;
    std::vector<NuInstance> instance;
    std::vector<NuLog> log;
    std::vector<NuMap> map;
    std::vector<NuSample> sample;
    std::vector<NuSampleAnnotation> sample_annotation;
    std::vector<NuSampleData> sample_data;
    std::vector<NuScene> scene;
    std::vector<NuSensor> sensor;
    std::vector<NuVisibility> visibility;
};

}  // namespace rs
