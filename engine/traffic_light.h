// Fixed-time signal controller of one intersection: east-west arms and north-south arms take turns
// (green, yellow, all-red), with a per-intersection offset so the town's lights are not in sync.
#pragma once

namespace rs {

enum class Signal { green, yellow, red };

class TrafficLight {
public:
    static constexpr double kYellow = 3.0;
    static constexpr double kAllRed = 2.0;

    TrafficLight() = default;
    // green_ew / green_ns: green durations (s); offset shifts the cycle start.
    TrafficLight(double green_ew, double green_ns, double offset);

    // Arms are numbered east 0, north 1, west 2, south 3.
    Signal state(int arm, double t) const;
    // Seconds until `arm` next turns green (0 while it is green).
    double time_until_green(int arm, double t) const;
    // Pedestrians may start across `arm`'s road: its traffic is held and stays held long enough.
    bool walk_allowed(int arm, double t, double crossing_time) const;
    double cycle() const { return cycle_; }

private:
    double phase_time(double t) const;
    double green_[2] = {20, 20};
    double offset_ = 0;
    double cycle_ = 50;
};

}  // namespace rs
