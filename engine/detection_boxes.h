// Boxes of the nuScenes detection evaluation (devkit eval/detection): the submission file format
// with its checks, ground truth taken from a dataset, and the devkit's preparation steps
// add_center_dist and filter_eval_boxes (class range, empty GT boxes, bike racks).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/box3d.h"
#include "engine/dataset_error.h"
#include "engine/geometry.h"
#include "engine/json.h"
#include "engine/nuscenes_reader.h"
#include "engine/object_class.h"

namespace rs {

// A ground-truth or predicted box, all in the global frame (devkit DetectionBox).
struct EvalBox {
    std::string sample_token;
    Vec3 translation;               // box centre
    Vec3 size;                      // width, length, height
    Quat rotation;                  // as given: not normalised (a zero quaternion means yaw 0)
    Vec2 velocity;                  // m/s; NaN where unknown (GT of single-annotation instances)
    Vec3 ego_translation;           // translation minus the ego position, set by add_center_dist
    int64_t num_pts = -1;           // GT: lidar + radar points; -1 for predictions, which never get dropped for it
    ObjectClass detection_name = ObjectClass::car;
    double detection_score = -1.0;  // -1 for GT
    std::string attribute_name;     // one of kAttributeNames, or "" for none

    // Distance to the ego vehicle in the xy plane.
    double ego_dist() const {
        return std::sqrt(ego_translation.x * ego_translation.x + ego_translation.y * ego_translation.y);
    }
};

// Boxes grouped by sample, samples in insertion order (devkit EvalBoxes): the order of the
// submission's "results" keys or of the split's samples, which fixes the order of evaluation.
class EvalBoxes {
public:
    struct Sample {
        std::string token;
        std::vector<EvalBox> boxes;
    };

    // Appends to the sample's boxes; a new token is added at the end, even with no boxes.
    void add_boxes(const std::string & sample_token, std::vector<EvalBox> boxes);
    // The sample's boxes, or an empty list for a token not held.
    const std::vector<EvalBox> & boxes(std::string_view sample_token) const;
    bool contains(std::string_view sample_token) const { return index_.count(std::string(sample_token)) > 0; }

    const std::vector<Sample> & samples() const { return samples_; }
    std::vector<Sample> & samples() { return samples_; }
    size_t num_boxes() const;

private:
    std::vector<Sample> samples_;
    std::unordered_map<std::string, size_t> index_;
};

// A submission or prediction file that breaks the format; the message names the file, sample,
// box and field.
struct SubmissionError : DatasetError {
    using DatasetError::DatasetError;
};

struct DetectionSubmission {
    Json meta;           // use_camera, use_lidar, ...: copied into metrics_summary.json unchanged
    EvalBoxes results;
};

// Checks and reads a submission: {"meta": {...}, "results": {sample_token: [box, ...]}}. Boxes need
// sample_token (equal to their key), translation[3], size[3] (> 0), rotation[4] (finite), velocity[2]
// (NaN allowed), detection_name, attribute_name (any of the eight, whatever the class, or ""); detection_score
// (finite, default -1), num_pts and ego_translation are optional. At most `max_boxes_per_sample`
// boxes per sample. A sample token given twice keeps its first position and its last list, like
// Python's json module. `source` names the text in errors.
DetectionSubmission parse_detection_submission(std::string_view json_text, const std::string & source,
                                               int max_boxes_per_sample = 500);
DetectionSubmission load_detection_submission(const std::string & path, int max_boxes_per_sample = 500);

// The submission as the devkit serialises it (every DetectionBox field); saved atomically.
Json detection_submission_json(const DetectionSubmission & submission);
void save_detection_submission(const std::string & path, const DetectionSubmission & submission);

// NuScenes.box_velocity: centred difference of the neighbouring annotations of the instance (one
// side replaced by the annotation itself where missing), global m/s; NaN for a single annotation
// or when they lie more than max_time_diff apart (twice that for a centred difference).
Vec3 annotation_velocity(const NuScenesDataset & ds, size_t annotation, double max_time_diff = 1.5);

// Ground truth of the given samples in the given order (devkit load_gt): annotations in sample.anns
// order, categories outside the ten classes dropped, velocity from annotation_velocity, num_pts =
// lidar + radar points, score -1. Throws DatasetError for an unknown sample token or an annotation
// with more than one attribute.
EvalBoxes load_gt_boxes(const NuScenesDataset & ds, const std::vector<std::string> & sample_tokens);

// Sets ego_translation of every box from the ego pose of its sample's LIDAR_TOP key frame.
void add_center_dist(const NuScenesDataset & ds, EvalBoxes & boxes);

// True when the point lies inside the box or on its surface (devkit points_in_box).
bool box_contains_point(const Box3D & box, const Vec3 & point);

struct FilterCounts {
    size_t total = 0, after_distance = 0, after_points = 0, after_bike_racks = 0;
};

// filter_eval_boxes, per sample: keeps ego_dist < max_dist[class] (strict), drops num_pts == 0, then
// drops bicycles and motorcycles whose centre lies in a static_object.bicycle_rack annotation of the
// sample. Call add_center_dist first.
FilterCounts filter_eval_boxes(const NuScenesDataset & ds, EvalBoxes & boxes,
                               const std::array<double, kNumObjectClasses> & max_dist);

}  // namespace rs
