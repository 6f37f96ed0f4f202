// Small double-precision geometry for the engine: vectors, Hamilton quaternions (w, x, y, z, as
// nuScenes stores them), rigid poses and 4x4 matrices. No dependency beyond <cmath>, so the engine
// builds where only a compiler and LibTorch are installed.
#pragma once

#include <array>
#include <cmath>

namespace rs {

constexpr double kPi = 3.14159265358979323846;

struct Vec2 {
    double x = 0, y = 0;
};

struct Vec3 {
    double x = 0, y = 0, z = 0;

    Vec3 operator+(const Vec3 & o) const { return {x + o.x, y + o.y, z + o.z}; }
    Vec3 operator-(const Vec3 & o) const { return {x - o.x, y - o.y, z - o.z}; }
    Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
    Vec3 operator-() const { return {-x, -y, -z}; }
    Vec3 & operator+=(const Vec3 & o) { x += o.x; y += o.y; z += o.z; return *this; }
    double dot(const Vec3 & o) const { return x * o.x + y * o.y + z * o.z; }
    Vec3 cross(const Vec3 & o) const { return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x}; }
    double norm() const { return std::sqrt(dot(*this)); }
    Vec3 normalized() const { double n = norm(); return n > 0 ? *this * (1.0 / n) : *this; }
};

// Row-major 3x3.
struct Mat3 {
    std::array<double, 9> m{1, 0, 0, 0, 1, 0, 0, 0, 1};

    double operator()(int r, int c) const { return m[r * 3 + c]; }
    double & operator()(int r, int c) { return m[r * 3 + c]; }
    Vec3 operator*(const Vec3 & v) const {
        return {m[0] * v.x + m[1] * v.y + m[2] * v.z, m[3] * v.x + m[4] * v.y + m[5] * v.z,
                m[6] * v.x + m[7] * v.y + m[8] * v.z};
    }
    Mat3 operator*(const Mat3 & o) const;
    Mat3 transposed() const;
};

struct Quat {
    double w = 1, x = 0, y = 0, z = 0;

    static Quat from_axis_angle(const Vec3 & axis, double angle);
    static Quat from_yaw(double yaw) { return from_axis_angle({0, 0, 1}, yaw); }
    static Quat from_matrix(const Mat3 & r);

    Quat operator*(const Quat & o) const {
        return {w * o.w - x * o.x - y * o.y - z * o.z, w * o.x + x * o.w + y * o.z - z * o.y,
                w * o.y - x * o.z + y * o.w + z * o.x, w * o.z + x * o.y - y * o.x + z * o.w};
    }
    Quat conjugate() const { return {w, -x, -y, -z}; }
    double norm() const { return std::sqrt(w * w + x * x + y * y + z * z); }
    Quat normalized() const;
    // Rotation matrix of the normalised quaternion (pyquaternion normalises too); zero -> zero matrix.
    Mat3 matrix() const;
    Vec3 rotate(const Vec3 & v) const { return matrix() * v; }
    // Yaw as the nuScenes evaluation defines it: heading of the rotated x axis in the xy plane.
    double yaw() const;
};

// Rigid transform p' = R p + t, e.g. sensor -> ego or ego -> global.
struct Pose {
    Vec3 translation;
    Quat rotation;

    Vec3 apply(const Vec3 & p) const { return rotation.rotate(p) + translation; }
    Vec3 apply_inverse(const Vec3 & p) const { return rotation.matrix().transposed() * (p - translation); }
    Pose operator*(const Pose & inner) const {  // this ∘ inner
        return {apply(inner.translation), (rotation * inner.rotation).normalized()};
    }
    Pose inverse() const;
};

// Row-major 4x4, column vectors: p' = M p.
struct Mat4 {
    std::array<double, 16> m{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

    static Mat4 from_pose(const Pose & p);
    double operator()(int r, int c) const { return m[r * 4 + c]; }
    double & operator()(int r, int c) { return m[r * 4 + c]; }
    Mat4 operator*(const Mat4 & o) const;
    Vec3 transform_point(const Vec3 & p) const;
};

// Wraps an angle to [-pi, pi).
double wrap_angle(double a);

}  // namespace rs
