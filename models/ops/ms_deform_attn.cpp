#include "models/ops/ms_deform_attn.h"

#include <torch/autograd.h>

#include "models/ops/ms_deform_attn_kernels.h"

#ifdef ROADSIGHT_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace rs {

namespace {

using torch::Tensor;

// Checks every shape against the op's contract and returns the sizes for the kernels;
// `check_levels` also checks the level table's values against value.
MsdaSizes check_inputs(const Tensor & value, const Tensor & shapes, const Tensor & starts, const Tensor & loc,
                       const Tensor & weights, bool check_levels) {
    TORCH_CHECK(value.dim() == 4, "ms_deform_attn: value must be (batch, keys, heads, channels), got ", value.sizes());
    TORCH_CHECK(value.scalar_type() == torch::kFloat || value.scalar_type() == torch::kDouble,
                "ms_deform_attn: value must be float or double, got ", value.scalar_type());
    TORCH_CHECK(loc.scalar_type() == value.scalar_type() && weights.scalar_type() == value.scalar_type(),
                "ms_deform_attn: sampling_locations and attention_weights must have value's dtype ",
                value.scalar_type(), ", got ", loc.scalar_type(), " and ", weights.scalar_type());
    TORCH_CHECK(!c10::isFloatingType(shapes.scalar_type()) && !c10::isFloatingType(starts.scalar_type()),
                "ms_deform_attn: spatial_shapes and level_start_index must be integer tensors");
    TORCH_CHECK(loc.device() == value.device() && weights.device() == value.device() &&
                    shapes.device() == value.device() && starts.device() == value.device(),
                "ms_deform_attn: all inputs must be on value's device ", value.device());
    MsdaSizes s;
    s.batch = value.size(0);
    s.keys = value.size(1);
    s.heads = value.size(2);
    s.channels = value.size(3);
    TORCH_CHECK(shapes.dim() == 2 && shapes.size(1) == 2, "ms_deform_attn: spatial_shapes must be (levels, 2), got ",
                shapes.sizes());
    s.levels = shapes.size(0);
    TORCH_CHECK(starts.dim() == 1 && starts.size(0) == s.levels, "ms_deform_attn: level_start_index must be (",
                s.levels, "), got ", starts.sizes());
    TORCH_CHECK(loc.dim() == 6 && loc.size(0) == s.batch && loc.size(2) == s.heads && loc.size(3) == s.levels &&
                    loc.size(5) == 2,
                "ms_deform_attn: sampling_locations must be (", s.batch, ", queries, ", s.heads, ", ", s.levels,
                ", points, 2), got ", loc.sizes());
    s.queries = loc.size(1);
    s.points = loc.size(4);
    TORCH_CHECK(weights.sizes().equals(loc.sizes().slice(0, 5)), "ms_deform_attn: attention_weights must be ",
                loc.sizes().slice(0, 5), ", got ", weights.sizes());
    // Reading the level table of CUDA tensors would synchronise the stream on every call, so
    // only CPU tables are checked against value.
    if (check_levels && shapes.device().is_cpu()) {
        Tensor sh = shapes.to(torch::kLong);
        Tensor st = starts.to(torch::kLong);
        int64_t key = 0;
        for (int64_t l = 0; l < s.levels; ++l) {
            const int64_t h = sh[l][0].item<int64_t>();
            const int64_t w = sh[l][1].item<int64_t>();
            TORCH_CHECK(h > 0 && w > 0, "ms_deform_attn: level ", l, " has spatial shape ", h, "x", w);
            TORCH_CHECK(st[l].item<int64_t>() == key, "ms_deform_attn: level_start_index[", l, "] is ",
                        st[l].item<int64_t>(), " but the levels before it hold ", key, " keys");
            key += h * w;
        }
        TORCH_CHECK(key == s.keys, "ms_deform_attn: spatial_shapes hold ", key, " keys but value has ", s.keys);
    }
    return s;
}

struct Prepared {
    MsdaSizes sizes;
    Tensor value, shapes, starts, loc, weights;
};

Prepared prepare(const Tensor & value, const Tensor & shapes, const Tensor & starts, const Tensor & loc,
                 const Tensor & weights, bool check_levels) {
    Prepared p;
    p.sizes = check_inputs(value, shapes, starts, loc, weights, check_levels);
    p.value = value.contiguous();
    p.shapes = shapes.to(torch::kLong).contiguous();
    p.starts = starts.to(torch::kLong).contiguous();
    p.loc = loc.contiguous();
    p.weights = weights.contiguous();
    return p;
}

Tensor forward(const Prepared & p) {
    const MsdaSizes & s = p.sizes;
    Tensor out = torch::empty({s.batch, s.queries, s.heads * s.channels}, p.value.options());
    AT_DISPATCH_FLOATING_TYPES(p.value.scalar_type(), "ms_deform_attn_forward", [&] {
        const scalar_t * value = p.value.data_ptr<scalar_t>();
        const int64_t * shapes = p.shapes.data_ptr<int64_t>();
        const int64_t * starts = p.starts.data_ptr<int64_t>();
        const scalar_t * loc = p.loc.data_ptr<scalar_t>();
        const scalar_t * weights = p.weights.data_ptr<scalar_t>();
        scalar_t * o = out.data_ptr<scalar_t>();
        if (p.value.is_cpu()) {
            ms_deform_attn_forward_cpu(s, value, shapes, starts, loc, weights, o);
            return;
        }
#ifdef ROADSIGHT_WITH_CUDA
        if (p.value.is_cuda()) {
            c10::cuda::CUDAGuard guard(p.value.device());
            ms_deform_attn_forward_cuda(s, value, shapes, starts, loc, weights, o,
                                        c10::cuda::getCurrentCUDAStream(p.value.device().index()).stream());
            return;
        }
#endif
        TORCH_CHECK(false, "ms_deform_attn: no kernel for device ", p.value.device(), " in this build");
    });
    return out;
}

// Returns gradients for value, sampling_locations and attention_weights.
std::array<Tensor, 3> backward(const Prepared & p, const Tensor & grad_output) {
    const MsdaSizes & s = p.sizes;
    Tensor go = grad_output.contiguous();
    Tensor grad_value = torch::zeros_like(p.value);
    Tensor grad_loc = torch::zeros_like(p.loc);
    Tensor grad_weights = torch::zeros_like(p.weights);
    AT_DISPATCH_FLOATING_TYPES(p.value.scalar_type(), "ms_deform_attn_backward", [&] {
        const scalar_t * value = p.value.data_ptr<scalar_t>();
        const int64_t * shapes = p.shapes.data_ptr<int64_t>();
        const int64_t * starts = p.starts.data_ptr<int64_t>();
        const scalar_t * loc = p.loc.data_ptr<scalar_t>();
        const scalar_t * weights = p.weights.data_ptr<scalar_t>();
        const scalar_t * g = go.data_ptr<scalar_t>();
        scalar_t * gv = grad_value.data_ptr<scalar_t>();
        scalar_t * gl = grad_loc.data_ptr<scalar_t>();
        scalar_t * gw = grad_weights.data_ptr<scalar_t>();
        if (p.value.is_cpu()) {
            ms_deform_attn_backward_cpu(s, value, shapes, starts, loc, weights, g, gv, gl, gw);
            return;
        }
#ifdef ROADSIGHT_WITH_CUDA
        if (p.value.is_cuda()) {
            c10::cuda::CUDAGuard guard(p.value.device());
            ms_deform_attn_backward_cuda(s, value, shapes, starts, loc, weights, g, gv, gl, gw,
                                         c10::cuda::getCurrentCUDAStream(p.value.device().index()).stream());
            return;
        }
#endif
        TORCH_CHECK(false, "ms_deform_attn: no kernel for device ", p.value.device(), " in this build");
    });
    return {grad_value, grad_loc, grad_weights};
}

class MsDeformAttnFunction : public torch::autograd::Function<MsDeformAttnFunction> {
public:
    static Tensor forward(torch::autograd::AutogradContext * ctx, const Tensor & value, const Tensor & shapes,
                          const Tensor & starts, const Tensor & loc, const Tensor & weights) {
        Prepared p = prepare(value, shapes, starts, loc, weights, true);
        ctx->save_for_backward({p.value, p.shapes, p.starts, p.loc, p.weights});
        return rs::forward(p);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext * ctx,
                                                 torch::autograd::tensor_list grad_outputs) {
        // The kernels' gradients carry no graph, so a second derivative would silently be zero.
        TORCH_CHECK(!torch::GradMode::is_enabled(), "ms_deform_attn: double backward (create_graph) is not supported");
        torch::autograd::variable_list saved = ctx->get_saved_variables();
        Prepared p = prepare(saved[0], saved[1], saved[2], saved[3], saved[4], false);
        std::array<Tensor, 3> g = rs::backward(p, grad_outputs[0]);
        return {g[0], Tensor(), Tensor(), g[1], g[2]};
    }
};

}  // namespace

Tensor ms_deform_attn(const Tensor & value, const Tensor & spatial_shapes, const Tensor & level_start_index,
                      const Tensor & sampling_locations, const Tensor & attention_weights) {
    return MsDeformAttnFunction::apply(value, spatial_shapes, level_start_index, sampling_locations,
                                       attention_weights);
}

}  // namespace rs
