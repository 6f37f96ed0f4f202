#include "models/tensor_io.h"

#include <cstring>

namespace rs {

namespace {

struct DtypePair {
    SafetensorsDtype file;
    torch::ScalarType torch;
};

constexpr DtypePair kPairs[] = {
    {SafetensorsDtype::BOOL, torch::kBool},    {SafetensorsDtype::U8, torch::kUInt8},
    {SafetensorsDtype::I8, torch::kInt8},      {SafetensorsDtype::I16, torch::kInt16},
    {SafetensorsDtype::F16, torch::kFloat16},  {SafetensorsDtype::BF16, torch::kBFloat16},
    {SafetensorsDtype::I32, torch::kInt32},    {SafetensorsDtype::F32, torch::kFloat32},
    {SafetensorsDtype::I64, torch::kInt64},    {SafetensorsDtype::F64, torch::kFloat64},
};

}  // namespace

torch::ScalarType to_torch_dtype(SafetensorsDtype d) {
    for (const DtypePair & p : kPairs)
        if (p.file == d) return p.torch;
    throw SafetensorsError(std::string("safetensors dtype ") + safetensors_dtype_name(d) + " has no LibTorch type");
}

SafetensorsDtype to_safetensors_dtype(torch::ScalarType t) {
    for (const DtypePair & p : kPairs)
        if (p.torch == t) return p.file;
    throw SafetensorsError(std::string("torch dtype ") + c10::toString(t) + " has no safetensors dtype");
}

torch::Tensor tensor_from_entry(const SafetensorsFile & file, const SafetensorsEntry & entry) {
    torch::ScalarType type;
    try {
        type = to_torch_dtype(entry.dtype);
    } catch (const SafetensorsError & e) {
        throw SafetensorsError(file.source() + ": tensor '" + entry.name + "': " + e.what());
    }
    torch::Tensor t = torch::empty(entry.shape, torch::TensorOptions().dtype(type));
    // The file's bytes need not be aligned for the dtype, so copy rather than wrap them.
    if (entry.byte_size()) std::memcpy(t.data_ptr(), file.data(entry), entry.byte_size());
    return t;
}

NamedTensors read_tensors(const std::string & path) {
    SafetensorsFile file = SafetensorsFile::read(path);
    NamedTensors out;
    for (const SafetensorsEntry & e : file.entries()) out.emplace_back(e.name, tensor_from_entry(file, e));
    return out;
}

void write_tensors(const std::string & path, const NamedTensors & tensors,
                   const std::map<std::string, std::string> & metadata) {
    std::vector<torch::Tensor> host;  // keeps the CPU copies alive while the views point at them
    std::vector<SafetensorsTensorView> views;
    for (const auto & [name, tensor] : tensors) {
        SafetensorsTensorView v;
        v.name = name;
        try {
            v.dtype = to_safetensors_dtype(tensor.scalar_type());
        } catch (const SafetensorsError & e) {
            throw SafetensorsError(path + ": tensor '" + name + "': " + e.what());
        }
        host.push_back(tensor.detach().to(torch::kCPU).contiguous());
        v.shape = host.back().sizes().vec();
        v.data = host.back().data_ptr();
        v.size = host.back().numel() * host.back().element_size();
        views.push_back(std::move(v));
    }
    write_safetensors(path, views, metadata);
}

}  // namespace rs
