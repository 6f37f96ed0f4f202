// Per-view constants shared by the camera shaders; mirrors rs::ViewUniforms (render/view_uniforms.h).
layout(set = 0, binding = 0, std140) uniform CameraView {
    mat4 rotation_to_clip;     // clip = rotation_to_clip * vec4(p_world - camera position, 1)
    vec4 camera_position;      // the camera position rounded to float ...
    vec4 camera_position_low;  // ... and what that rounding lost
    vec4 pixel_to_ray;         // pixel (u, v) -> camera ray (u x + z, v y + w, 1)
    vec4 up_in_camera;         // world z axis in the camera frame
    vec4 sun;                  // unit direction towards the sun, world; w = intensity
    vec4 sky_top;              // display rgb in [0, 1]
    vec4 sky_horizon;
    vec4 fog;                  // start distance, full distance, strongest amount
} view;
