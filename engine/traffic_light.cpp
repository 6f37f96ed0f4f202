#include "engine/traffic_light.h"

#include <cmath>

namespace rs {

TrafficLight::TrafficLight(double green_ew, double green_ns, double offset)
    : green_{green_ew, green_ns}, offset_(offset),
      cycle_(green_ew + green_ns + 2 * (kYellow + kAllRed)) {}

double TrafficLight::phase_time(double t) const {
    double p = std::fmod(t + offset_, cycle_);
    return p < 0 ? p + cycle_ : p;
}

Signal TrafficLight::state(int arm, double t) const {
    int group = arm % 2;  // 0: east/west, 1: north/south
    double p = phase_time(t);
    double start = group == 0 ? 0.0 : green_[0] + kYellow + kAllRed;
    double local = p - start;
    if (local < 0) local += cycle_;
    if (local < green_[group]) return Signal::green;
    if (local < green_[group] + kYellow) return Signal::yellow;
    return Signal::red;
}

double TrafficLight::time_until_green(int arm, double t) const {
    int group = arm % 2;
    double p = phase_time(t);
    double start = group == 0 ? 0.0 : green_[0] + kYellow + kAllRed;
    double local = p - start;
    if (local < 0) local += cycle_;
    if (local < green_[group]) return 0;
    return cycle_ - local;
}

bool TrafficLight::walk_allowed(int arm, double t, double crossing_time) const {
    if (state(arm, t) != Signal::red) return false;
    // Wait out the all-red after this arm's own yellow, and leave a margin before its next green.
    double until_green = time_until_green(arm, t);
    double red_total = cycle_ - green_[arm % 2] - kYellow;
    double red_elapsed = red_total - until_green;
    return red_elapsed >= kAllRed && until_green > crossing_time + 2.0;
}

}  // namespace rs
