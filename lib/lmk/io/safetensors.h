// io/safetensors.h: read (mmap) and write safetensors files, the Hugging Face weight format.
//
// Byte layout: uint64 little-endian N, then N bytes of a JSON header
//   {"__metadata__": {"k": "v", ...}, "name": {"dtype": "F32", "shape": [r, c],
//    "data_offsets": [begin, end]}, ...}
// (offsets relative to the end of the header, tensors packed in header order without gaps),
// then the data, little-endian, row-major. The header is padded with spaces to a multiple of 8.
// Dtypes supported: F32, BF16, F16, I32, I64 (others are reported by name and rejected).
//
//   lmk::SafetensorsWriter w;
//   w.add("transformer.wte.weight", lmk::Dtype::f32, {V, C}, wte_ptr);
//   w.set_metadata("format", "pt");
//   w.write("model.safetensors");
//   lmk::SafetensorsFile f("model.safetensors");
//   const lmk::TensorInfo& t = f.at("transformer.wte.weight"); // t.data, t.shape, t.dtype
#pragma once
#include "lmk/io/file.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lmk {

enum class Dtype { f32, bf16, f16, i32, i64 };
const char* dtype_name(Dtype d);          // "F32", "BF16", ...
size_t dtype_size(Dtype d);
Dtype dtype_from_name(const std::string& s, const std::string& context); // throws

struct TensorInfo {
    std::string name;
    Dtype dtype;
    std::vector<int64_t> shape;
    const void* data = nullptr; // into the mmap
    size_t nbytes = 0;
    int64_t numel() const;
};

class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path); // mmap; header fully validated
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;
    const std::vector<TensorInfo>& tensors() const { return tensors_; } // header order
    const TensorInfo* find(const std::string& name) const;
    const TensorInfo& at(const std::string& name) const; // throws naming the file
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    // Converts a tensor (F32, BF16 or F16) to float; throws on other dtypes or a size mismatch.
    void read_f32(const std::string& name, float* out, size_t n) const;

private:
    std::string path_;
    void* map_ = nullptr;
    size_t map_len_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
};

class SafetensorsWriter {
public:
    // data must stay valid until write(); it is copied then.
    void add(const std::string& name, Dtype dtype, std::vector<int64_t> shape, const void* data);
    // Converts float data to `dtype` (F32, BF16 round-to-nearest-even, F16) at write time.
    void add_f32_as(const std::string& name, Dtype dtype, std::vector<int64_t> shape, const float* data);
    void set_metadata(const std::string& key, const std::string& value);
    // Atomic (path.tmp + rename), without the page cache where the file system allows
    // (OutputOptions::direct). Returns the file's size and XXH3-64.
    FileDigest write(const std::string& path) const;

private:
    struct Entry {
        std::string name;
        Dtype dtype;
        std::vector<int64_t> shape;
        const void* data;
        bool convert_from_f32;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

// bf16/f16 <-> f32 conversion (round to nearest even).
uint16_t f32_to_bf16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
float f16_to_f32(uint16_t h);

} // namespace lmk
