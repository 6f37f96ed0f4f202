#include "app/shell/live_perception.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/shell/predicted_boxes.h"
#include "engine/detection_sample.h"

namespace rs {

LivePerception::LivePerception(std::shared_ptr<Perceiver> perceiver) : perceiver_(std::move(perceiver)) {
    worker_ = std::thread([this] { run(); });
}

LivePerception::~LivePerception() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void LivePerception::offer(ViewFramePtr frame, const CanPoseMessage & can, const std::string & scene) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = std::move(frame);
        pending_can_ = can;
        pending_scene_ = scene;
    }
    wake_.notify_all();
}

std::shared_ptr<const LivePerception::Result> LivePerception::latest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return latest_;
}

void LivePerception::annotate(ViewFrame & frame) const {
    std::shared_ptr<const Result> r = latest();
    if (!r) {
        frame.perception = perceiver_->description() + ": running...";
        return;
    }
    frame.boxes.insert(frame.boxes.end(), r->boxes.begin(), r->boxes.end());
    char age[48];
    std::snprintf(age, sizeof age, " (seen %.1f s ago)", std::max(0.0, frame.time - r->frame_time));
    frame.perception = r->note + age;
}

void LivePerception::run() {
    while (true) {
        ViewFramePtr frame;
        CanPoseMessage can;
        std::string scene;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stop_ || pending_; });
            if (stop_) return;
            frame = std::move(pending_);
            pending_.reset();
            can = pending_can_;
            scene = pending_scene_;
        }
        auto result = std::make_shared<Result>();
        result->frame_time = frame->time;
        try {
            const int64_t t_us = std::llround(frame->time * 1e6);
            const DetectionSample sample =
                make_live_detection_sample(frame->channels, frame->views, frame->ego_to_world, can, scene, t_us);
            std::vector<RgbImage> images;
            for (const CameraInput & cam : sample.cameras) {
                const size_t i = size_t(std::find(frame->channels.begin(), frame->channels.end(), cam.channel) -
                                        frame->channels.begin());
                const CameraImage & img = frame->images.at(i);
                if (img.width == 0) throw std::runtime_error(cam.channel + " was not rendered");
                images.push_back({img.width, img.height, img.rgb});
            }
            const Perception p = perceiver_->perceive(sample, &images);
            result->boxes = predicted_view_boxes(p);
            result->note = perception_note(perceiver_->description(), p);
        } catch (const std::exception & e) {
            result->note = "perception failed: " + std::string(e.what());
        }
        std::lock_guard<std::mutex> lock(mutex_);
        latest_ = std::move(result);
    }
}

}  // namespace rs
