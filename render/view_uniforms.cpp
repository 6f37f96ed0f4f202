#include "render/view_uniforms.h"

namespace rs {

Mat4 pinhole_clip_matrix(const Intrinsics & k, int width, int height, double near_plane, double far_plane) {
    // With a viewport at (0, 0, width, height) the framebuffer x is (ndc_x + 1) * width / 2 and pixel
    // column i spans [i, i + 1): the pinhole's own continuous coordinates. So ndc_x = 2u / width - 1
    // with u = fx x/z + cx, i.e. clip_x = (2 fx / width) x + (2 cx / width - 1) z and clip_w = z.
    // Vulkan's framebuffer y points down like the image's v, so y needs no flip.
    double n = near_plane, f = far_plane;
    Mat4 m;
    m.m = {2 * k.fx / width, 0, 2 * k.cx / width - 1, 0,
           0, 2 * k.fy / height, 2 * k.cy / height - 1, 0,
           0, 0, -n / (f - n), f * n / (f - n),
           0, 0, 1, 0};
    return m;
}

ViewUniforms make_view_uniforms(const CameraView & view, const Lighting & lighting) {
    ViewUniforms u{};
    const Pose & pose = view.camera_to_world;
    Mat3 r = pose.rotation.matrix();  // columns: camera axes in the world

    // The shaders subtract the camera position from each vertex before projecting, which keeps
    // float precision far from the world origin; the matrix therefore holds only the rotation.
    Mat4 world_to_camera;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) world_to_camera(i, j) = r(j, i);
    Mat4 to_clip = pinhole_clip_matrix(view.intrinsics, view.width, view.height, view.near_plane, view.far_plane) *
                   world_to_camera;
    for (int col = 0; col < 4; ++col)
        for (int row = 0; row < 4; ++row) u.rotation_to_clip[col * 4 + row] = float(to_clip(row, col));

    const double position[3] = {pose.translation.x, pose.translation.y, pose.translation.z};
    for (int i = 0; i < 3; ++i) {
        // volatile forces the rounding: GCC 12's SLP vectoriser at -O2 folds double(float(x)) back
        // to x here, which would zero the remainder.
        volatile float high = float(position[i]);
        u.camera_position[i] = high;
        u.camera_position_low[i] = float(position[i] - double(high));
    }

    const Intrinsics & k = view.intrinsics;
    u.pixel_to_ray[0] = float(1 / k.fx);
    u.pixel_to_ray[1] = float(1 / k.fy);
    u.pixel_to_ray[2] = float(-k.cx / k.fx);
    u.pixel_to_ray[3] = float(-k.cy / k.fy);
    for (int i = 0; i < 3; ++i) u.up_in_camera[i] = float(r(2, i));  // row z of R = R^T e_z

    Vec3 sun = lighting.sun_direction.normalized();
    u.sun[0] = float(sun.x);
    u.sun[1] = float(sun.y);
    u.sun[2] = float(sun.z);
    u.sun[3] = lighting.sun_intensity;
    for (int i = 0; i < 3; ++i) {
        u.sky_top[i] = lighting.sky_top[i] / 255.0f;
        u.sky_horizon[i] = lighting.sky_horizon[i] / 255.0f;
    }

    // Haze thickens from a tenth of the far plane to the far plane, where geometry nearly melts
    // into the horizon colour of the sky behind it.
    u.fog[0] = float(0.1 * view.far_plane);
    u.fog[1] = float(view.far_plane);
    u.fog[2] = 0.7f;
    return u;
}

}  // namespace rs
