// What the view shows at one instant: six camera images with their calibration, the ego, boxes and
// the BEV map layer. Built on a worker thread (live sim or dataset playback), then shared read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/box3d.h"
#include "engine/camera_renderer.h"
#include "engine/camera_rig.h"
#include "engine/object_class.h"
#include "engine/world.h"

namespace rs {

// One object as the view draws it, in the world (dataset: global) frame.
struct ViewBox {
    uint32_t track_id = 0;
    ObjectClass cls = ObjectClass::car;
    Box3D box;
    Vec3 velocity;
    std::string attribute;
    float score = 1.0f;      // ground truth and the simulator's own agents score 1
    int num_lidar_pts = -1;  // -1 when the source does not know
    bool predicted = false;  // from a perception model (drawn dashed), else ground truth
    // Box centres of the same object before and after, each ending / starting at this one
    // (dataset: the annotations' prev / next links, 2 s back and 6 s ahead; Live Sim: the last
    // 2 s, no future).
    std::vector<Vec3> past, future;
};

struct ViewFrame {
    uint64_t index = 0;   // frame (live sim) or sample position in the scene (dataset)
    double time = 0;      // seconds since the source started
    std::string label;    // what the HUD prints as the frame's name
    std::vector<std::string> channels;  // CAM_FRONT, ...; parallel to images and views
    std::vector<CameraImage> images;    // empty rgb when the camera could not be filmed or read
    std::vector<CameraView> views;      // world -> camera at each image's size
    Pose ego_to_world;
    double ego_speed = 0;  // m/s
    bool expert = true;    // live sim: the expert drives, else the keyboard pedals
    EgoControl control;    // what drove the last step
    std::vector<ViewBox> boxes;
    std::vector<Vec3> trajectory;  // past ego positions, oldest first
    // Ego positions ahead from the current one: the dataset's later samples, or in Live Sim the
    // expert's planned path (empty while the keyboard drives).
    std::vector<Vec3> future;
    BevRaster bev;                 // semantic map centred on ego_to_world; size 0 when absent
    double produce_ms = 0;         // worker time spent on this frame
    std::string perception;        // the model's status line for the HUD; empty without a model
    std::string warning;           // e.g. a camera image that failed to decode
};

using ViewFramePtr = std::shared_ptr<const ViewFrame>;

}  // namespace rs
