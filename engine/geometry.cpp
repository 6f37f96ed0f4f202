#include "engine/geometry.h"

namespace rs {

Mat3 Mat3::operator*(const Mat3 & o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            r(i, j) = (*this)(i, 0) * o(0, j) + (*this)(i, 1) * o(1, j) + (*this)(i, 2) * o(2, j);
    return r;
}

Mat3 Mat3::transposed() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) r(i, j) = (*this)(j, i);
    return r;
}

Quat Quat::from_axis_angle(const Vec3 & axis, double angle) {
    Vec3 a = axis.normalized();
    double s = std::sin(angle / 2);
    return {std::cos(angle / 2), a.x * s, a.y * s, a.z * s};
}

Quat Quat::from_matrix(const Mat3 & r) {
    // Shepperd's method: pick the largest diagonal term for numerical stability.
    double tr = r(0, 0) + r(1, 1) + r(2, 2);
    Quat q;
    if (tr > 0) {
        double s = std::sqrt(tr + 1.0) * 2;
        q = {0.25 * s, (r(2, 1) - r(1, 2)) / s, (r(0, 2) - r(2, 0)) / s, (r(1, 0) - r(0, 1)) / s};
    } else if (r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2)) {
        double s = std::sqrt(1.0 + r(0, 0) - r(1, 1) - r(2, 2)) * 2;
        q = {(r(2, 1) - r(1, 2)) / s, 0.25 * s, (r(0, 1) + r(1, 0)) / s, (r(0, 2) + r(2, 0)) / s};
    } else if (r(1, 1) > r(2, 2)) {
        double s = std::sqrt(1.0 + r(1, 1) - r(0, 0) - r(2, 2)) * 2;
        q = {(r(0, 2) - r(2, 0)) / s, (r(0, 1) + r(1, 0)) / s, 0.25 * s, (r(1, 2) + r(2, 1)) / s};
    } else {
        double s = std::sqrt(1.0 + r(2, 2) - r(0, 0) - r(1, 1)) * 2;
        q = {(r(1, 0) - r(0, 1)) / s, (r(0, 2) + r(2, 0)) / s, (r(1, 2) + r(2, 1)) / s, 0.25 * s};
    }
    if (q.w < 0) q = {-q.w, -q.x, -q.y, -q.z};  // canonical sign keeps written tables stable
    return q.normalized();
}

Quat Quat::normalized() const {
    double n = norm();
    return n > 0 ? Quat{w / n, x / n, y / n, z / n} : Quat{0, 0, 0, 0};
}

Mat3 Quat::matrix() const {
    Quat q = normalized();
    double ww = q.w * q.w, xx = q.x * q.x, yy = q.y * q.y, zz = q.z * q.z;
    double xy = q.x * q.y, xz = q.x * q.z, yz = q.y * q.z, wx = q.w * q.x, wy = q.w * q.y, wz = q.w * q.z;
    Mat3 r;
    r.m = {ww + xx - yy - zz, 2 * (xy - wz), 2 * (xz + wy),
           2 * (xy + wz), ww - xx + yy - zz, 2 * (yz - wx),
           2 * (xz - wy), 2 * (yz + wx), ww - xx - yy + zz};
    return r;
}

double Quat::yaw() const {
    Vec3 v = rotate({1, 0, 0});
    return std::atan2(v.y, v.x);
}

Pose Pose::inverse() const {
    Quat inv = rotation.conjugate().normalized();
    return {-(inv.rotate(translation)), inv};
}

Mat4 Mat4::from_pose(const Pose & p) {
    Mat3 r = p.rotation.matrix();
    Mat4 m;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) m(i, j) = r(i, j);
    m(0, 3) = p.translation.x;
    m(1, 3) = p.translation.y;
    m(2, 3) = p.translation.z;
    return m;
}

Mat4 Mat4::operator*(const Mat4 & o) const {
    Mat4 r;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
            double s = 0;
            for (int k = 0; k < 4; ++k) s += (*this)(i, k) * o(k, j);
            r(i, j) = s;
        }
    return r;
}

Vec3 Mat4::transform_point(const Vec3 & p) const {
    double x = m[0] * p.x + m[1] * p.y + m[2] * p.z + m[3];
    double y = m[4] * p.x + m[5] * p.y + m[6] * p.z + m[7];
    double z = m[8] * p.x + m[9] * p.y + m[10] * p.z + m[11];
    double w = m[12] * p.x + m[13] * p.y + m[14] * p.z + m[15];
    return w != 0 && w != 1 ? Vec3{x / w, y / w, z / w} : Vec3{x, y, z};
}

double wrap_angle(double a) {
    return a - 2 * kPi * std::floor((a + kPi) / (2 * kPi));
}

}  // namespace rs
