#include "models/weights.h"

#include <set>

#include "engine/safetensors.h"
#include "models/tensor_io.h"

namespace rs {

namespace {

std::string shape_text(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void describe_list(std::string & out, const char * what, const std::vector<std::string> & items) {
    if (items.empty()) return;
    out += "\n  " + std::string(what) + " (" + std::to_string(items.size()) + "):";
    for (const std::string & i : items) out += "\n    " + i;
}

// Anything converts to a floating type (LibTorch's Module::to(kDouble) also turns integer
// buffers such as num_batches_tracked into doubles); floating data never goes into an integer or
// bool tensor, nor integers into bool, since that would truncate silently.
bool convertible(torch::ScalarType from, torch::ScalarType to) {
    if (from == to || c10::isFloatingType(to)) return true;
    return !c10::isFloatingType(from) && to != torch::kBool;
}

// Parameters first, then buffers; a name is unique across both in a torch::nn::Module.
NamedTensors module_tensors(const torch::nn::Module & module) {
    NamedTensors out;
    for (const auto & item : module.named_parameters()) out.emplace_back(item.key(), item.value());
    for (const auto & item : module.named_buffers()) out.emplace_back(item.key(), item.value());
    return out;
}

}  // namespace

std::string WeightsReport::describe() const {
    std::string out = source + ": " + std::to_string(loaded) + " tensors loaded";
    out += complete() ? ", all matched" : ", not all matched";
    describe_list(out, "missing from the file", missing);
    describe_list(out, "unexpected in the file", unexpected);
    describe_list(out, "wrong shape or dtype", mismatched);
    describe_list(out, "dtype converted", converted);
    return out;
}

WeightsReport load_weights(torch::nn::Module & module, const std::string & path, const WeightsLoadOptions & opt) {
    SafetensorsFile file = SafetensorsFile::read(path);
    WeightsReport report;
    report.source = path;
    std::vector<std::pair<torch::Tensor, const SafetensorsEntry *>> plan;
    std::set<std::string> known;
    for (const auto & [name, target] : module_tensors(module)) {
        known.insert(name);
        const SafetensorsEntry * e = file.find(name);
        if (!e) {
            report.missing.push_back(name);
            continue;
        }
        const std::string file_side = std::string(safetensors_dtype_name(e->dtype)) + " " + shape_text(e->shape);
        const std::string module_side = std::string(c10::toString(target.scalar_type())) + " " + shape_text(target.sizes());
        const std::string mismatch = name + ": file " + file_side + ", module " + module_side;
        if (!c10::IntArrayRef(e->shape).equals(target.sizes())) {
            report.mismatched.push_back(mismatch);
            continue;
        }
        torch::ScalarType type;
        try {
            type = to_torch_dtype(e->dtype);
        } catch (const SafetensorsError &) {
            report.mismatched.push_back(mismatch + " (no LibTorch type)");
            continue;
        }
        if (!convertible(type, target.scalar_type())) {
            report.mismatched.push_back(mismatch);
            continue;
        }
        if (type != target.scalar_type())
            report.converted.push_back(name + ": " + safetensors_dtype_name(e->dtype) + " -> " +
                                       c10::toString(target.scalar_type()));
        plan.emplace_back(target, e);
    }
    for (const SafetensorsEntry & e : file.entries())
        if (!known.count(e.name)) report.unexpected.push_back(e.name);
    if (opt.strict && !report.complete()) throw WeightsError(report);

    torch::NoGradGuard no_grad;
    for (auto & [target, entry] : plan) {
        // copy_ converts the dtype and moves to the parameter's device in one step.
        target.copy_(tensor_from_entry(file, *entry));
        ++report.loaded;
    }
    return report;
}

void cast_floating_tensors(torch::nn::Module & module, torch::Dtype dtype) {
    torch::NoGradGuard no_grad;
    for (torch::Tensor & t : module.parameters())
        if (t.is_floating_point()) t.set_data(t.to(dtype));
    for (torch::Tensor & t : module.buffers())
        if (t.is_floating_point()) t.set_data(t.to(dtype));
}

void save_weights(const torch::nn::Module & module, const std::string & path,
                  const std::map<std::string, std::string> & metadata) {
    write_tensors(path, module_tensors(module), metadata);
}

}  // namespace rs
