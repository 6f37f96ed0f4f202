#include "app/shell/sim_source.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <memory>
#include <unordered_map>

#include "app/shell/live_perception.h"
#include "render/offscreen_camera_renderer.h"

namespace rs {

namespace {

constexpr int kStepsPerFrame = 5;        // 60 Hz world, 12 Hz cameras, as the dataset generator
constexpr size_t kTrajectoryLength = 240;  // 20 s of past positions
constexpr double kPlanLength = 60.0;       // metres of the expert's planned path shown ahead
constexpr size_t kTrackFrames = 24;        // 2 s of past box centres per agent
constexpr double kBoxRange = 80.0;        // metres (xy) from the ego; the whole town would drown the view

std::vector<ViewBox> view_boxes(const std::vector<AgentState> & agents, const Vec3 & ego) {
    std::vector<ViewBox> out;
    out.reserve(agents.size());
    for (const AgentState & a : agents) {
        if (std::hypot(a.box.translation.x - ego.x, a.box.translation.y - ego.y) > kBoxRange) continue;
        ViewBox b;
        b.track_id = a.instance_id;
        b.cls = a.cls;
        b.box = {a.box.translation, a.size, a.box.rotation};
        b.velocity = a.velocity;
        b.attribute = a.attribute;
        out.push_back(std::move(b));
    }
    return out;
}

// Each box's centres over the last kTrackFrames frames; objects gone from view are forgotten.
void add_past_tracks(std::vector<ViewBox> & boxes, uint64_t index,
                     std::unordered_map<uint32_t, std::deque<Vec3>> & tracks) {
    if (index == 0) tracks.clear();
    std::unordered_map<uint32_t, std::deque<Vec3>> kept;
    for (ViewBox & b : boxes) {
        std::deque<Vec3> & track = kept[b.track_id];
        if (auto it = tracks.find(b.track_id); it != tracks.end()) track = std::move(it->second);
        track.push_back(b.box.center);
        if (track.size() > kTrackFrames) track.pop_front();
        b.past.assign(track.begin(), track.end());
    }
    tracks = std::move(kept);
}

}  // namespace

SimSource::SimSource(const SimOptions & options, FrameMailbox & mailbox) : options_(options), mailbox_(mailbox) {
    worker_ = std::thread([this] { run(); });
}

SimSource::~SimSource() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void SimSource::set_pedals(const PedalInput & input) {
    std::lock_guard<std::mutex> lock(mutex_);
    pedals_ = input;
}

void SimSource::set_expert(bool expert) { expert_ = expert; }

// Flags the worker waits on change under the mutex, so a wake-up cannot slip between its check and its wait.
void SimSource::set_paused(bool paused) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = paused;
    }
    wake_.notify_all();
}

void SimSource::restart() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        restart_ = true;
    }
    wake_.notify_all();
}

void SimSource::set_perceiver(std::shared_ptr<Perceiver> perceiver) {
    std::lock_guard<std::mutex> lock(mutex_);
    perceiver_ = std::move(perceiver);
    perceiver_changed_ = true;
}

std::string SimSource::renderer_name() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return renderer_name_;
}

std::string SimSource::renderer_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return renderer_error_;
}

void SimSource::run() {
    using Clock = std::chrono::steady_clock;
    std::unique_ptr<OffscreenCameraRenderer> renderer;
    try {
        renderer = std::make_unique<OffscreenCameraRenderer>();
        std::lock_guard<std::mutex> lock(mutex_);
        renderer_name_ = renderer->device_name();
    } catch (const std::exception & e) {
        std::lock_guard<std::mutex> lock(mutex_);
        renderer_error_ = e.what();
    }
    const auto rig = nuscenes_camera_rig(options_.image_width, options_.image_height);
    const Clock::duration period = std::chrono::microseconds(int64_t(1e6 * World::kStep * kStepsPerFrame));

    std::unique_ptr<LivePerception> live;
    int run_count = 0;
    while (!stop_) {
        restart_ = false;
        const std::string scene = "live-sim-" + std::to_string(++run_count);
        World world(options_.scenario);
        if (renderer) renderer->set_static_scene(world.static_mesh());
        std::deque<Vec3> trajectory;
        std::unordered_map<uint32_t, std::deque<Vec3>> tracks;  // recent box centres per instance
        SceneMesh dynamic;
        uint64_t index = 0;
        Clock::time_point next = Clock::now();
        double steer = 0;
        while (!stop_ && !restart_) {
            if (paused_ && index > 0) {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [this] { return stop_ || restart_ || !paused_; });
                next = Clock::now();
                continue;
            }
            Clock::time_point start = Clock::now();
            EgoControl control;
            if (!expert_) {
                PedalInput p;
                {
                    std::lock_guard<std::mutex> lock(mutex_);
                    p = pedals_;
                }
                // Full lock from a key is too much at speed; ease the steering in and scale it down.
                double limit = std::clamp(1.0 - world.ego().speed / 25.0, 0.25, 1.0);
                steer += std::clamp(p.steer * limit - steer, -0.15, 0.15);
                control.mode = EgoControl::Mode::pedals;
                control.throttle = p.throttle;
                control.brake = p.brake;
                control.steer = steer;
            } else {
                steer = 0;
            }
            if (index > 0)
                for (int i = 0; i < kStepsPerFrame; ++i) world.step(control);

            auto frame = std::make_shared<ViewFrame>();
            frame->index = index;
            frame->time = world.time();
            frame->label = "frame " + std::to_string(index);
            frame->ego_to_world = world.ego().pose;
            frame->ego_speed = world.ego().speed;
            frame->expert = control.mode == EgoControl::Mode::expert;
            frame->control = control;
            frame->boxes = view_boxes(world.agents(), world.ego().pose.translation);
            add_past_tracks(frame->boxes, index, tracks);
            trajectory.push_back(world.ego().pose.translation);
            if (trajectory.size() > kTrajectoryLength) trajectory.pop_front();
            frame->trajectory.assign(trajectory.begin(), trajectory.end());
            if (control.mode == EgoControl::Mode::expert) frame->future = world.ego_plan(kPlanLength, 1.0);
            frame->bev = world.bev_raster(world.ego().pose, options_.map_resolution, options_.map_size);
            for (const CameraSpec & spec : rig) {
                frame->channels.push_back(spec.channel);
                frame->views.push_back(make_camera_view(spec, world.ego().pose));
            }
            if (renderer) {
                dynamic.clear();
                world.build_dynamic_mesh(dynamic);
                try {
                    renderer->render(dynamic, frame->views, world.lighting(), frame->images);
                } catch (const std::exception & e) {
                    frame->warning = std::string("camera render failed: ") + e.what();
                    frame->images.assign(rig.size(), CameraImage{});
                }
            } else {
                frame->images.assign(rig.size(), CameraImage{});
            }
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (perceiver_changed_) {
                    live.reset();
                    if (perceiver_) live = std::make_unique<LivePerception>(perceiver_);
                    perceiver_changed_ = false;
                }
            }
            if (live) live->annotate(*frame);
            frame->produce_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (live) live->offer(frame, can_pose_message(world.ego(), std::llround(world.time() * 1e6)), scene);
            mailbox_.post(std::move(frame));
            ++index;

            if (options_.realtime) {
                next += period;
                Clock::time_point now = Clock::now();
                if (next < now) next = now;  // behind: do not try to catch up
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait_until(lock, next, [this] { return bool(stop_) || bool(restart_); });
            }
        }
    }
}

}  // namespace rs
