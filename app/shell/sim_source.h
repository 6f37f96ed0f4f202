// Live Sim: a World on a worker thread, stepped in real time and filmed by the offscreen Vulkan
// renderer, one ViewFrame per camera frame (12 Hz) into a FrameMailbox. The expert drives unless
// the keyboard takes over (pedals). Without a Vulkan device frames still come, without images.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/shell/frame_mailbox.h"
#include "engine/perceiver.h"
#include "engine/world.h"

namespace rs {

struct SimOptions {
    Scenario scenario;
    int image_width = 512, image_height = 288;  // per camera
    double map_resolution = 0.5;                // BEV map layer, metres per cell
    int map_size = 320;                         // cells per side
    bool realtime = true;                       // off: as fast as the worker can go
};

// Pedal input from held keys: each in [0, 1] (steer: -1 right .. 1 left).
struct PedalInput {
    double throttle = 0, brake = 0, steer = 0;
};

class SimSource {
public:
    SimSource(const SimOptions & options, FrameMailbox & mailbox);
    ~SimSource();  // stops and joins the worker
    SimSource(const SimSource &) = delete;
    SimSource & operator=(const SimSource &) = delete;

    void set_pedals(const PedalInput & input);
    void set_expert(bool expert);
    bool expert() const { return expert_.load(); }
    void set_paused(bool paused);
    bool paused() const { return paused_.load(); }
    void restart();  // a fresh world from the same scenario
    // Runs `perceiver` beside the sim (LivePerception) from the next frame on; null stops it.
    void set_perceiver(std::shared_ptr<Perceiver> perceiver);

    // Set once the worker has tried to create its renderer.
    std::string renderer_name() const;
    std::string renderer_error() const;

private:
    void run();

    SimOptions options_;
    FrameMailbox & mailbox_;
    std::atomic<bool> stop_{false}, paused_{false}, expert_{true}, restart_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    PedalInput pedals_;
    std::shared_ptr<Perceiver> perceiver_;
    bool perceiver_changed_ = false;
    std::string renderer_name_, renderer_error_;
    std::thread worker_;
};

}  // namespace rs
