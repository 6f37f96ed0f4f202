#include "engine/idm.h"

#include <algorithm>
#include <cmath>

namespace rs {

namespace {
// (v / v0)^4 by multiplication: the exponent delta = 4 without pow(), which is not exact.
double speed_ratio4(const IdmParams & p, double speed) {
    double r = speed / std::max(p.desired_speed, 0.1);
    double r2 = r * r;
    return r2 * r2;
}
}  // namespace

double idm_free_accel(const IdmParams & p, double speed) { return p.max_accel * (1.0 - speed_ratio4(p, speed)); }

double idm_accel(const IdmParams & p, double speed, double gap, double leader_speed) {
    double dv = speed - leader_speed;
    double s_star = p.min_gap + std::max(0.0, speed * p.time_headway +
                                                   speed * dv / (2.0 * std::sqrt(p.max_accel * p.comfort_decel)));
    double g = std::max(gap, 0.05);
    double ratio = s_star / g;
    return p.max_accel * (1.0 - speed_ratio4(p, speed) - ratio * ratio);
}

}  // namespace rs
