// Perception beside the Live Sim. The sim offers each new frame; a worker runs the model on the
// newest one offered whenever it is free, and every later sim frame carries its latest result.
// The sim never waits for the model (hundreds of ms a frame on a CPU against 12 Hz): boxes are as
// old as the frame they were seen in, and the HUD line says how old.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/shell/view_frame.h"
#include "engine/can_bus.h"
#include "engine/perceiver.h"

namespace rs {

class LivePerception {
public:
    struct Result {
        std::vector<ViewBox> boxes;
        std::string note;        // ViewFrame::perception
        double frame_time = 0;   // sim time of the frame the boxes come from
    };

    explicit LivePerception(std::shared_ptr<Perceiver> perceiver);
    ~LivePerception();  // waits for the frame in progress
    LivePerception(const LivePerception &) = delete;
    LivePerception & operator=(const LivePerception &) = delete;

    // Replaces any frame still waiting. `can` is the ego's CAN message at the frame's time; `scene`
    // names the run, as history is kept only within one (a restarted world is a new scene).
    void offer(ViewFramePtr frame, const CanPoseMessage & can, const std::string & scene);
    // The newest result, null before the first.
    std::shared_ptr<const Result> latest() const;
    // Adds the latest boxes and note (with their age at frame.time) to a frame being built.
    void annotate(ViewFrame & frame) const;

private:
    void run();

    std::shared_ptr<Perceiver> perceiver_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    ViewFramePtr pending_;
    CanPoseMessage pending_can_;
    std::string pending_scene_;
    bool stop_ = false;
    std::shared_ptr<const Result> latest_;
    std::thread worker_;
};

}  // namespace rs
