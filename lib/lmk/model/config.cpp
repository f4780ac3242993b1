// model/config.cpp: GptConfig <-> HF GPT2Config JSON. Parsing uses simdjson's DOM (config
// files are small); writing is by hand so the key order is fixed and diffs stay readable.
#include "lmk/model/config.h"
#include "lmk/core/error.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace lmk {

const char* activation_name(Activation a) {
    switch (a) {
    case Activation::gelu_tanh: return "gelu_new";
    case Activation::gelu_exact: return "gelu";
    case Activation::relu: return "relu";
    }
    return "?";
}

Activation activation_from_name(const std::string& s, const std::string& context) {
    // HF spells the tanh approximation several ways; all compute the same function.
    if (s == "gelu_new" || s == "gelu_pytorch_tanh" || s == "gelu_fast") return Activation::gelu_tanh;
    if (s == "gelu") return Activation::gelu_exact;
    if (s == "relu") return Activation::relu;
    throw Error(fmt::format("{}: unsupported activation_function \"{}\"", context, s),
                "use gelu_new (GPT-2), gelu or relu");
}

void GptConfig::validate(const std::string& context) {
    LMK_CHECK(vocab_size > 0, "{}: vocab_size must be positive, got {}", context, vocab_size);
    LMK_CHECK(n_layer > 0 && n_head > 0 && n_embd > 0, "{}: n_layer, n_head and n_embd must be positive", context);
    LMK_CHECK(n_embd % n_head == 0, "{}: n_embd {} is not a multiple of n_head {}", context, n_embd, n_head);
    LMK_CHECK(n_positions > 0, "{}: n_positions must be positive", context);
    LMK_CHECK(n_inner >= 0, "{}: n_inner must not be negative", context);
    if (padded_vocab_size == 0) padded_vocab_size = (vocab_size + 63) / 64 * 64;
    LMK_CHECK(padded_vocab_size >= vocab_size, "{}: lmk_padded_vocab_size {} < vocab_size {}", context,
              padded_vocab_size, vocab_size);
    for (float p : {resid_pdrop, embd_pdrop, attn_pdrop})
        LMK_CHECK(p >= 0.0f && p < 1.0f, "{}: dropout probabilities must be in [0, 1), got {}", context, p);
    LMK_CHECK(layer_norm_epsilon > 0.0f, "{}: layer_norm_epsilon must be positive", context);
}

int64_t GptConfig::num_parameters() const {
    int64_t C = n_embd, F = inner(), L = n_layer;
    int64_t per_layer = 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * F + F) + (F * C + C);
    int64_t pos = position_embedding == PositionEmbedding::learned ? n_positions * C : 0;
    return vocab_size * C + pos + L * per_layer + 2 * C;
}

double GptConfig::flops_per_token(int64_t T) const {
    // nanoGPT's estimate_mfu: 6N (matmuls forward + backward, N without position
    // embeddings; the tied head is counted through wte) + 12 L T C for attention scores.
    double n = double(num_parameters());
    if (position_embedding == PositionEmbedding::learned) n -= double(n_positions * n_embd);
    // Projections to the inner size other than 4C are included in N already.
    return 6.0 * n + 12.0 * double(n_layer) * double(T) * double(n_embd);
}

static std::string id_or_null(int64_t id) { return id < 0 ? "null" : fmt::format("{}", id); }

std::string gpt_config_to_json(const GptConfig& c) {
    std::string s = "{\n";
    auto kv = [&](const char* k, const std::string& v) { s += fmt::format("  \"{}\": {},\n", k, v); };
    kv("architectures", "[\"GPT2LMHeadModel\"]");
    kv("model_type", "\"gpt2\"");
    kv("vocab_size", fmt::format("{}", c.vocab_size));
    kv("n_positions", fmt::format("{}", c.n_positions));
    kv("n_ctx", fmt::format("{}", c.n_positions));
    kv("n_embd", fmt::format("{}", c.n_embd));
    kv("n_layer", fmt::format("{}", c.n_layer));
    kv("n_head", fmt::format("{}", c.n_head));
    kv("n_inner", c.n_inner > 0 ? fmt::format("{}", c.n_inner) : "null");
    kv("activation_function", fmt::format("\"{}\"", activation_name(c.activation)));
    kv("resid_pdrop", fmt::format("{}", c.resid_pdrop));
    kv("embd_pdrop", fmt::format("{}", c.embd_pdrop));
    kv("attn_pdrop", fmt::format("{}", c.attn_pdrop));
    kv("layer_norm_epsilon", fmt::format("{}", c.layer_norm_epsilon));
    kv("initializer_range", fmt::format("{}", c.initializer_range));
    kv("bos_token_id", id_or_null(c.bos_token_id));
    kv("eos_token_id", id_or_null(c.eos_token_id));
    kv("tie_word_embeddings", "true");
    kv("scale_attn_weights", "true");
    kv("use_cache", "true");
    kv("torch_dtype", "\"float32\"");
    kv("lmk_norm_position", c.norm_position == NormPosition::pre ? "\"pre\"" : "\"post\"");
    kv("lmk_position_embedding",
       c.position_embedding == PositionEmbedding::learned ? "\"learned\"" : "\"sinusoidal\"");
    if (!c.bias) kv("lmk_bias", "false");
    s += fmt::format("  \"lmk_padded_vocab_size\": {}\n}}\n", c.padded_vocab_size);
    return s;
}

GptConfig gpt_config_from_json(const std::string& json, const std::string& context) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(json).get(root))
        throw Error(fmt::format("{}: not valid JSON: {}", context, simdjson::error_message(err)));
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) throw Error(fmt::format("{}: expected a JSON object", context));

    GptConfig c;
    // GPT2Config's defaults for keys that are absent.
    c.resid_pdrop = c.embd_pdrop = c.attn_pdrop = 0.1f;
    c.bos_token_id = c.eos_token_id = 50256;

    auto get_int = [&](const char* key, int64_t& out, bool nullable = false) {
        simdjson::dom::element e;
        if (obj[key].get(e)) return;
        if (e.is_null()) {
            LMK_CHECK(nullable, "{}: \"{}\" must not be null", context, key);
            out = nullable ? (std::string_view(key).ends_with("_id") ? -1 : 0) : out;
            return;
        }
        int64_t v;
        if (e.get_int64().get(v)) {
            double d;
            LMK_CHECK(!e.get_double().get(d) && d == double(int64_t(d)), "{}: \"{}\" must be an integer", context, key);
            v = int64_t(d);
        }
        out = v;
    };
    auto get_float = [&](const char* key, float& out) {
        simdjson::dom::element e;
        if (obj[key].get(e)) return;
        double d;
        LMK_CHECK(!e.get_double().get(d), "{}: \"{}\" must be a number", context, key);
        out = float(d);
    };
    auto get_string = [&](const char* key, std::string& out) -> bool {
        simdjson::dom::element e;
        if (obj[key].get(e)) return false;
        std::string_view v;
        LMK_CHECK(!e.get_string().get(v), "{}: \"{}\" must be a string", context, key);
        out = std::string(v);
        return true;
    };

    std::string model_type;
    if (get_string("model_type", model_type))
        LMK_CHECK(model_type == "gpt2", "{}: model_type \"{}\" is not a GPT-2 model", context, model_type);
    get_int("vocab_size", c.vocab_size);
    get_int("n_positions", c.n_positions);
    get_int("n_embd", c.n_embd);
    get_int("n_layer", c.n_layer);
    get_int("n_head", c.n_head);
    get_int("n_inner", c.n_inner, true);
    get_int("bos_token_id", c.bos_token_id, true);
    get_int("eos_token_id", c.eos_token_id, true);
    get_int("lmk_padded_vocab_size", c.padded_vocab_size);
    get_float("resid_pdrop", c.resid_pdrop);
    get_float("embd_pdrop", c.embd_pdrop);
    get_float("attn_pdrop", c.attn_pdrop);
    get_float("layer_norm_epsilon", c.layer_norm_epsilon);
    get_float("initializer_range", c.initializer_range);
    std::string s;
    c.activation = activation_from_name(get_string("activation_function", s) ? s : "gelu_new", context);
    if (get_string("lmk_norm_position", s)) {
        LMK_CHECK(s == "pre" || s == "post", "{}: lmk_norm_position must be pre or post, got \"{}\"", context, s);
        c.norm_position = s == "pre" ? NormPosition::pre : NormPosition::post;
    }
    if (get_string("lmk_position_embedding", s)) {
        LMK_CHECK(s == "learned" || s == "sinusoidal",
                  "{}: lmk_position_embedding must be learned or sinusoidal, got \"{}\"", context, s);
        c.position_embedding = s == "learned" ? PositionEmbedding::learned : PositionEmbedding::sinusoidal;
    }
    simdjson::dom::element bias;
    if (!obj["lmk_bias"].get(bias))
        LMK_CHECK(!bias.get_bool().get(c.bias), "{}: \"lmk_bias\" must be true or false", context);
    simdjson::dom::element tie;
    if (!obj["tie_word_embeddings"].get(tie)) {
        bool t = true;
        LMK_CHECK(!tie.get_bool().get(t) && t, "{}: untied input/output embeddings are not supported", context);
    }
    c.validate(context);
    return c;
}

} // namespace lmk
