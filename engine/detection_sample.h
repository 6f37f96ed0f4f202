// One key frame as BEVFormer's training and inference consume it, built from a nuScenes-format
// dataset the way the official info converter (tools/data_converter/nuscenes_converter.py) and
// CustomNuScenesDataset (projects/mmdet3d_plugin/datasets/nuscenes_dataset.py) build it: six cameras
// with lidar2img, the 18-float can_bus, and GT boxes in the lidar frame (models/bevformer/box_code.h
// convention) after the train pipeline's filters. No torch: models/bevformer/sample_batch turns it
// into tensors.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/camera_rig.h"
#include "engine/can_bus.h"
#include "engine/geometry.h"
#include "engine/nuscenes_reader.h"
#include "engine/object_class.h"

namespace rs {

constexpr int kNumBevCameras = 6;
// BEVFormer's camera order, which is also the index of its cams_embeds.
extern const std::array<const char *, kNumBevCameras> kBevCameraChannels;

// Detection classes in BEVFormer's label order: car, truck, construction_vehicle, bus, trailer,
// barrier, motorcycle, bicycle, pedestrian, traffic_cone.
extern const std::array<ObjectClass, kNumObjectClasses> kBevClassOrder;
int bev_class_index(ObjectClass c);

struct CameraInput {
    std::string channel;
    std::string image_path;  // dataroot + sample_data.filename
    int width = 0, height = 0;
    int64_t timestamp = 0;
    // lidar -> ego (LIDAR_TOP's ego pose) -> global -> ego (this camera's ego pose, at its own
    // timestamp) -> camera, the inverse of the converter's sensor2lidar (obtain_sensor2top).
    Mat4 lidar2cam;
    Mat4 lidar2img;          // K (padded to 4×4) · lidar2cam, unscaled image pixels
};

struct GtBox {
    // cx, cy, cz (geometric centre), w, l, h, yaw, vx, vy in the lidar frame; yaw = -yaw_nus - pi/2
    // wrapped to [-pi, pi) (ObjectRangeFilter's limit_yaw); velocity NaN where the devkit's is.
    std::array<double, 9> box{};
    int label = 0;           // index into kBevClassOrder
    std::string annotation_token;
};

struct DetectionSample {
    std::string sample_token, scene_token;
    int64_t timestamp = 0;   // sample.timestamp, µs
    std::array<CameraInput, kNumBevCameras> cameras;
    Pose lidar2ego;
    Pose ego2global;         // ego pose of the LIDAR_TOP key frame
    // [0:3] ego2global translation, [3:7] its quaternion (w,x,y,z), [7:16] CAN accel, rotation_rate,
    // vel, [16] ego yaw in radians and [17] in degrees, both in [0, 360°).
    std::array<double, 18> can_bus{};
    std::vector<GtBox> gt;
};

struct DetectionSampleOptions {
    // ObjectRangeFilter: keeps centres strictly inside x/y of this range (x, y, z min then max).
    std::array<double, 6> pc_range = {-51.2, -51.2, -5.0, 51.2, 51.2, 3.0};
    // The official dataset's use_valid_flag: only boxes with num_lidar_pts + num_radar_pts > 0.
    bool require_points = true;
};

// The key frame `sample` (index in the sample table). `can_pose` is the scene's CAN pose stream
// (read_can_pose; empty for none). Throws DatasetError naming the sample token and the field for a
// missing camera or LIDAR_TOP key frame, a camera without intrinsics, or a non-finite pose.
DetectionSample make_detection_sample(const NuScenesDataset & ds, size_t sample,
                                      const std::vector<CanPoseMessage> & can_pose,
                                      const DetectionSampleOptions & opt = {});

// A key frame of a live world (the shell's Live Sim) instead of a dataset: the six BEVFormer cameras
// found by channel among `channels`/`views` (world <- camera poses, intrinsics and size of the
// rendered images), LIDAR_TOP on the nuScenes mount, can_bus from the ego pose and `can` as the
// converter fills it. No image paths (callers pass the rendered images) and no GT boxes.
// std::invalid_argument naming the channel when a camera is missing, or a non-finite pose.
DetectionSample make_live_detection_sample(const std::vector<std::string> & channels,
                                           const std::vector<CameraView> & views, const Pose & ego_to_world,
                                           const CanPoseMessage & can, const std::string & scene_token,
                                           int64_t timestamp_us);

// Every key frame of the named scenes: scenes in the given order, frames by timestamp (as the
// official temporal info files sort them). DatasetError for a scene name the dataset lacks.
std::vector<DetectionSample> load_detection_samples(const NuScenesDataset & ds,
                                                    const std::vector<std::string> & scene_names,
                                                    const DetectionSampleOptions & opt = {});
// The scenes of a split (split_scene_names: the dataset's splits.json, else the devkit's lists).
std::vector<DetectionSample> load_split_detection_samples(const NuScenesDataset & ds, const std::string & split,
                                                          const DetectionSampleOptions & opt = {});

// The training queue of frame i: queue_length indices, oldest first, ending with i. Like the
// official prepare_train_data it draws queue_length - 1 distinct frames at random from the earlier
// candidates and sorts them; the candidates here are the earlier frames of the same scene at most
// span_s seconds before i (the official code takes the queue_length previous entries of the info
// list and lets a scene change reset the history). With too few candidates the earliest chosen frame
// (i itself when there is none) is repeated at the front, as the official max(0, index) clamp repeats
// frame 0. `samples` must be ordered as load_detection_samples returns them.
std::vector<size_t> history_indices(const std::vector<DetectionSample> & samples, size_t i, int queue_length,
                                    double span_s, std::mt19937 & rng);

// can_bus relative to the previous frame for the temporal model (bevformer.md §4): [0:3] minus the
// previous position and [17] minus the previous angle (degrees); both 0 without a previous frame
// of the same scene (pass nullptr).
std::array<double, 18> relative_can_bus(const std::array<double, 18> & current, const std::array<double, 18> * previous);

}  // namespace rs
