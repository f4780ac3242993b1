// io/safetensors.cpp: safetensors reader (mmap) and writer (see safetensors.h for the layout).
//
// The reader validates the whole header before handing out any pointer: every entry has a
// known dtype, a non-negative shape whose element count times the dtype size equals its byte
// range, and the ranges, sorted, tile the data area exactly (no gaps, no overlap, nothing
// past the end), which is what Hugging Face's own loader requires. After that, tensor access
// is plain pointer arithmetic.
#include "lmk/io/safetensors.h"

#include "lmk/core/error.h"
#include "lmk/io/file.h"
#include "lmk/io/jsonl.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <set>

namespace lmk {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100u << 20; // Hugging Face's limit

uint32_t f32_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float bits_f32(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Element count of a shape; throws on overflow (a corrupt header, not a real tensor).
uint64_t checked_numel(const std::vector<int64_t>& shape, const std::string& ctx) {
    uint64_t n = 1;
    for (int64_t d : shape) {
        LMK_CHECK(d >= 0, "{}: negative dimension {}", ctx, d);
        if (d != 0 && n > (uint64_t(1) << 62) / uint64_t(d)) fail("{}: shape overflows 2^62 elements", ctx);
        n *= uint64_t(d);
    }
    return n;
}

} // namespace

const char* dtype_name(Dtype d) {
    switch (d) {
    case Dtype::f32: return "F32";
    case Dtype::bf16: return "BF16";
    case Dtype::f16: return "F16";
    case Dtype::i32: return "I32";
    case Dtype::i64: return "I64";
    }
    return "?";
}

size_t dtype_size(Dtype d) {
    switch (d) {
    case Dtype::f32: return 4;
    case Dtype::bf16: return 2;
    case Dtype::f16: return 2;
    case Dtype::i32: return 4;
    case Dtype::i64: return 8;
    }
    return 0;
}

Dtype dtype_from_name(const std::string& s, const std::string& context) {
    for (Dtype d : {Dtype::f32, Dtype::bf16, Dtype::f16, Dtype::i32, Dtype::i64})
        if (s == dtype_name(d)) return d;
    throw Error(fmt::format("{}: unsupported dtype \"{}\" (supported: F32, BF16, F16, I32, I64)", context, s));
}

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

// ---------------------------------------------------------------------------------------------
// Conversions. bf16 is the top half of an f32; f16 has 5 exponent and 10 mantissa bits. Both
// round to nearest, ties to even, as PyTorch's .to(dtype) does; NaN stays a quiet NaN.

uint16_t f32_to_bf16(float f) {
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffff) > 0x7f800000) return uint16_t((u >> 16) | 0x40);
    u += 0x7fff + ((u >> 16) & 1);
    return uint16_t(u >> 16);
}

float bf16_to_f32(uint16_t h) { return bits_f32(uint32_t(h) << 16); }

uint16_t f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t a = x & 0x7fffffff;
    if (a >= 0x7f800000) // inf, or NaN (kept quiet, top payload bits kept)
        return uint16_t(sign | 0x7c00 | (a > 0x7f800000 ? 0x200 | ((a >> 13) & 0x3ff) : 0));
    if (a >= 0x477ff000) return uint16_t(sign | 0x7c00); // >= 65520 rounds past 65504 to inf
    if (a < 0x38800000) {
        // Below 2^-14: an f16 subnormal, counted in units of 2^-24.
        uint32_t e = a >> 23;
        uint32_t shift = 126 - e; // >= 14
        if (shift > 24) return uint16_t(sign);
        uint32_t m = (a & 0x7fffff) | 0x800000;
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return uint16_t(sign | q); // q may carry into the smallest normal: still correct
    }
    uint32_t h = (a - 0x38000000) >> 13; // rebias exponent 127 -> 15, keep 10 mantissa bits
    uint32_t rem = a & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return uint16_t(sign | h);
}

float f16_to_f32(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0) {
        float v = float(m) * (1.0f / 16777216.0f); // m * 2^-24, exact
        return sign ? -v : v;
    }
    if (e == 31) return bits_f32(sign | 0x7f800000 | (m << 13));
    return bits_f32(sign | ((e + 112) << 23) | (m << 13));
}

// ---------------------------------------------------------------------------------------------
// SafetensorsFile

namespace {

// Validates the header of a mapped file and fills tensors/metadata (see the file comment).
void parse_header(const std::string& path_, const char* base, size_t map_len_, std::vector<TensorInfo>& tensors_,
                  std::map<std::string, std::string>& metadata_) {
    const std::string hint = "a safetensors file starts with a uint64 header length and a JSON header";
    if (map_len_ < 8)
        throw Error(fmt::format("{}: not a safetensors file ({} bytes, shorter than the 8-byte header length)",
                                path_, map_len_),
                    hint);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | uint8_t(base[i]);
    if (n > kMaxHeaderBytes || n > map_len_ - 8)
        throw Error(fmt::format("{}: not a safetensors file (header length {} for a {}-byte file)", path_, n,
                                map_len_),
                    hint);
    if (n < 2 || base[8] != '{')
        throw Error(fmt::format("{}: not a safetensors file (the header does not start with '{{')", path_), hint);
    const std::string ctx = path_ + ": safetensors header";
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(base + 8, size_t(n)).get(root))
        fail("{}: invalid JSON: {}", ctx, simdjson::error_message(err));
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) fail("{}: not a JSON object", ctx);

    const char* data = base + 8 + n;
    const uint64_t data_len = map_len_ - 8 - n;
    std::set<std::string> seen;
    struct Range {
        uint64_t begin, end;
        size_t index;
    };
    std::vector<Range> ranges;
    for (auto field : obj) {
        std::string key(field.key);
        if (!seen.insert(key).second) fail("{}: duplicate entry \"{}\"", ctx, key);
        if (key == "__metadata__") {
            simdjson::dom::object meta;
            if (field.value.get_object().get(meta)) fail("{}: __metadata__ is not an object", ctx);
            for (auto m : meta) {
                std::string_view v;
                if (m.value.get_string().get(v))
                    fail("{}: __metadata__ value of \"{}\" is not a string", ctx, std::string(m.key));
                metadata_[std::string(m.key)] = std::string(v);
            }
            continue;
        }
        const std::string tctx = fmt::format("{}: tensor \"{}\"", ctx, key);
        simdjson::dom::object t;
        if (field.value.get_object().get(t)) fail("{}: not an object", tctx);
        std::string_view dtype;
        simdjson::dom::array shape, offsets;
        if (t["dtype"].get_string().get(dtype)) fail("{}: missing or non-string \"dtype\"", tctx);
        if (t["shape"].get_array().get(shape)) fail("{}: missing or non-array \"shape\"", tctx);
        if (t["data_offsets"].get_array().get(offsets)) fail("{}: missing or non-array \"data_offsets\"", tctx);
        TensorInfo info;
        info.name = key;
        info.dtype = dtype_from_name(std::string(dtype), tctx);
        for (auto d : shape) {
            uint64_t v;
            if (d.get_uint64().get(v) || v > uint64_t(INT64_MAX))
                fail("{}: shape entries must be non-negative integers", tctx);
            info.shape.push_back(int64_t(v));
        }
        std::vector<uint64_t> off;
        for (auto o : offsets) {
            uint64_t v;
            if (o.get_uint64().get(v)) fail("{}: data_offsets must be non-negative integers", tctx);
            off.push_back(v);
        }
        if (off.size() != 2) fail("{}: data_offsets must have 2 entries, has {}", tctx, off.size());
        if (off[0] > off[1] || off[1] > data_len)
            fail("{}: data_offsets [{}, {}] outside the {}-byte data area", tctx, off[0], off[1], data_len);
        uint64_t numel = checked_numel(info.shape, tctx);
        uint64_t want = numel * dtype_size(info.dtype);
        if (off[1] - off[0] != want)
            fail("{}: {} x {} needs {} bytes, data_offsets [{}, {}] hold {}", tctx, dtype_name(info.dtype),
                 fmt::format("[{}]", fmt::join(info.shape, ", ")), want, off[0], off[1], off[1] - off[0]);
        info.data = data + off[0];
        info.nbytes = size_t(want);
        ranges.push_back({off[0], off[1], tensors_.size()});
        tensors_.push_back(std::move(info));
    }
    // The byte ranges must tile [0, data_len) exactly.
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    uint64_t at = 0;
    for (const Range& r : ranges) {
        if (r.begin != at)
            fail("{}: tensor \"{}\" starts at byte {}, expected {} ({})", ctx, tensors_[r.index].name, r.begin, at,
                 r.begin > at ? "a gap in the data" : "overlapping another tensor");
        at = r.end;
    }
    if (at != data_len) fail("{}: tensors cover {} bytes of the {}-byte data area", ctx, at, data_len);
}

} // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("{}: cannot open: {}", path, errno_text(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        ::close(fd);
        fail("{}: cannot map: {}", path, S_ISREG(st.st_mode) ? errno_text(e) : "not a regular file");
    }
    map_len_ = size_t(st.st_size);
    if (map_len_ > 0) {
        map_ = mmap(nullptr, map_len_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map_ == MAP_FAILED) {
            int e = errno;
            map_ = nullptr;
            ::close(fd);
            fail("{}: cannot mmap: {}", path, errno_text(e));
        }
    }
    ::close(fd);
    try {
        parse_header(path_, static_cast<const char*>(map_), map_len_, tensors_, metadata_);
    } catch (...) {
        if (map_) munmap(map_, map_len_);
        map_ = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) munmap(map_, map_len_);
}


const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

const TensorInfo& SafetensorsFile::at(const std::string& name) const {
    const TensorInfo* t = find(name);
    if (!t) fail("{}: no tensor named \"{}\"", path_, name);
    return *t;
}

void SafetensorsFile::read_f32(const std::string& name, float* out, size_t n) const {
    const TensorInfo& t = at(name);
    LMK_CHECK(uint64_t(t.numel()) == n, "{}: tensor \"{}\" has {} elements, caller expects {}", path_, name,
              t.numel(), n);
    const char* p = static_cast<const char*>(t.data);
    switch (t.dtype) {
    case Dtype::f32: std::memcpy(out, p, n * 4); break;
    case Dtype::bf16:
    case Dtype::f16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            out[i] = t.dtype == Dtype::bf16 ? bf16_to_f32(h) : f16_to_f32(h);
        }
        break;
    default: fail("{}: tensor \"{}\" is {}, not a float type", path_, name, dtype_name(t.dtype));
    }
}

// ---------------------------------------------------------------------------------------------
// SafetensorsWriter

void SafetensorsWriter::add(const std::string& name, Dtype dtype, std::vector<int64_t> shape, const void* data) {
    LMK_CHECK(name != "__metadata__", "safetensors: \"__metadata__\" is not a tensor name");
    for (const auto& e : entries_) LMK_CHECK(e.name != name, "safetensors: tensor \"{}\" added twice", name);
    checked_numel(shape, "safetensors: tensor \"" + name + "\"");
    entries_.push_back({name, dtype, std::move(shape), data, false});
}

void SafetensorsWriter::add_f32_as(const std::string& name, Dtype dtype, std::vector<int64_t> shape,
                                   const float* data) {
    LMK_CHECK(dtype == Dtype::f32 || dtype == Dtype::bf16 || dtype == Dtype::f16,
              "safetensors: tensor \"{}\": cannot convert float to {}", name, dtype_name(dtype));
    add(name, dtype, std::move(shape), data);
    entries_.back().convert_from_f32 = true;
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

FileDigest SafetensorsWriter::write(const std::string& path) const {
    std::string header = "{";
    if (!metadata_.empty()) {
        header += "\"__metadata__\":{";
        bool first = true;
        for (const auto& [k, v] : metadata_) {
            if (!first) header += ',';
            first = false;
            append_json_string(header, k);
            header += ':';
            append_json_string(header, v);
        }
        header += '}';
    }
    uint64_t offset = 0;
    std::vector<uint64_t> sizes;
    for (const auto& e : entries_) {
        uint64_t bytes = checked_numel(e.shape, e.name) * dtype_size(e.dtype);
        sizes.push_back(bytes);
        if (header.size() > 1) header += ',';
        append_json_string(header, e.name);
        header += fmt::format(":{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}", dtype_name(e.dtype),
                              fmt::join(e.shape, ","), offset, offset + bytes);
        offset += bytes;
    }
    header += '}';
    // Pad with spaces so the data starts 8-byte aligned (8 + header length is a multiple of 8).
    while (header.size() % 8) header += ' ';

    auto out = Output::open(path, OutputOptions{.binary = true, .raw = true, .direct = true, .digest = true});
    char len[8];
    uint64_t n = header.size();
    for (int i = 0; i < 8; i++) len[i] = char((n >> (8 * i)) & 0xff);
    out->write(len, 8);
    out->write(header);
    std::vector<uint16_t> half;
    for (size_t i = 0; i < entries_.size(); i++) {
        const Entry& e = entries_[i];
        if (!e.convert_from_f32 || e.dtype == Dtype::f32) {
            out->write(e.data, sizes[i]);
            continue;
        }
        // Convert in chunks so a large tensor needs no full-size copy.
        const float* src = static_cast<const float*>(e.data);
        size_t count = sizes[i] / 2;
        constexpr size_t kChunk = 1 << 16;
        half.resize(kChunk);
        for (size_t at = 0; at < count; at += kChunk) {
            size_t k = std::min(kChunk, count - at);
            for (size_t j = 0; j < k; j++)
                half[j] = e.dtype == Dtype::bf16 ? f32_to_bf16(src[at + j]) : f32_to_f16(src[at + j]);
            out->write(half.data(), k * 2);
        }
    }
    out->commit();
    return out->digest();
}

} // namespace lmk
