// tests/test_model_config.cpp: GptConfig <-> HF GPT2Config JSON, HF names.
#include "lmk/core/error.h"
#include "lmk/model/config.h"
#include "lmk/model/hf_names.h"

#include <doctest/doctest.h>

using namespace lmk;

TEST_CASE("GPT-2 124M parameter count matches Hugging Face's") {
    GptConfig c; // GPT-2 small defaults
    c.validate();
    CHECK(c.num_parameters() == 124439808);
    CHECK(c.padded_vocab_size == 50304);
    CHECK(c.inner() == 3072);
    size_t n = 0;
    int64_t total = 0;
    for (const HfTensor& t : gpt2_hf_tensors(c)) {
        int64_t k = 1;
        for (int64_t d : t.shape) k *= d;
        total += k;
        n++;
    }
    CHECK(n == 2 + 12 * 12 + 2);
    CHECK(total == c.num_parameters());
}

TEST_CASE("config.json round trip keeps every field") {
    GptConfig c;
    c.vocab_size = 65, c.n_positions = 64, c.n_embd = 128, c.n_layer = 4, c.n_head = 4, c.n_inner = 300;
    c.activation = Activation::relu;
    c.norm_position = NormPosition::post;
    c.position_embedding = PositionEmbedding::sinusoidal;
    c.resid_pdrop = 0.25f, c.embd_pdrop = 0.125f, c.attn_pdrop = 0.0f;
    c.bos_token_id = -1, c.eos_token_id = 0;
    c.validate();
    std::string j = gpt_config_to_json(c);
    CHECK(j.find("\"model_type\": \"gpt2\"") != std::string::npos);
    CHECK(j.find("\"architectures\": [\"GPT2LMHeadModel\"]") != std::string::npos);
    CHECK(j.find("\"bos_token_id\": null") != std::string::npos);
    GptConfig d = gpt_config_from_json(j, "t");
    CHECK(d.vocab_size == 65);
    CHECK(d.padded_vocab_size == 128);
    CHECK(d.n_inner == 300);
    CHECK(d.activation == Activation::relu);
    CHECK(d.norm_position == NormPosition::post);
    CHECK(d.position_embedding == PositionEmbedding::sinusoidal);
    CHECK(d.resid_pdrop == 0.25f);
    CHECK(d.embd_pdrop == 0.125f);
    CHECK(d.bos_token_id == -1);
    CHECK(d.eos_token_id == 0);
    CHECK(gpt_config_to_json(d) == j);
}

TEST_CASE("config.json records a bias-free model, and only then") {
    GptConfig c;
    c.validate();
    CHECK(gpt_config_to_json(c).find("lmk_bias") == std::string::npos);
    CHECK(gpt_config_from_json(gpt_config_to_json(c), "t").bias);
    c.bias = false;
    std::string j = gpt_config_to_json(c);
    CHECK(j.find("\"lmk_bias\": false") != std::string::npos);
    CHECK_FALSE(gpt_config_from_json(j, "t").bias);
    CHECK_THROWS_WITH_AS(gpt_config_from_json(R"({"lmk_bias": 0})", "c.json"),
                         "c.json: \"lmk_bias\" must be true or false", lmk::Error);
}

TEST_CASE("Hugging Face's gpt2 config.json is read with GPT2Config defaults") {
    // The hub's gpt2/config.json (abridged to the keys that matter).
    std::string hf = R"({"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
      "attn_pdrop": 0.1, "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256,
      "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024,
      "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1,
      "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
      "vocab_size": 50257})";
    GptConfig c = gpt_config_from_json(hf, "gpt2/config.json");
    CHECK(c.n_layer == 12);
    CHECK(c.n_inner == 0);
    CHECK(c.inner() == 3072);
    CHECK(c.activation == Activation::gelu_tanh);
    CHECK(c.norm_position == NormPosition::pre);
    CHECK(c.attn_pdrop == doctest::Approx(0.1));
    CHECK(c.padded_vocab_size == 50304);
    // Missing keys take GPT2Config's defaults.
    GptConfig m = gpt_config_from_json("{\"n_layer\": 2}", "m");
    CHECK(m.n_layer == 2);
    CHECK(m.n_embd == 768);
    CHECK(m.resid_pdrop == doctest::Approx(0.1));
}

TEST_CASE("bad configs are refused with the file named") {
    CHECK_THROWS_WITH_AS(gpt_config_from_json("{\"model_type\": \"bert\"}", "c.json"),
                         "c.json: model_type \"bert\" is not a GPT-2 model", Error);
    CHECK_THROWS_WITH_AS(gpt_config_from_json("{\"n_embd\": 100, \"n_head\": 3}", "c.json"),
                         "c.json: n_embd 100 is not a multiple of n_head 3", Error);
    CHECK_THROWS_AS(gpt_config_from_json("{\"activation_function\": \"swish\"}", "c.json"), Error);
    CHECK_THROWS_AS(gpt_config_from_json("{\"tie_word_embeddings\": false}", "c.json"), Error);
    CHECK_THROWS_AS(gpt_config_from_json("not json", "c.json"), Error);
}

TEST_CASE("HF names: prefixes, buffers, Conv1D marks") {
    CHECK(canonical_hf_name("h.3.mlp.c_fc.weight") == "transformer.h.3.mlp.c_fc.weight");
    CHECK(canonical_hf_name("wte.weight") == "transformer.wte.weight");
    CHECK(canonical_hf_name("lm_head.weight") == "lm_head.weight");
    CHECK(is_hf_buffer_name("h.0.attn.bias"));
    CHECK(is_hf_buffer_name("transformer.h.11.attn.masked_bias"));
    CHECK_FALSE(is_hf_buffer_name("transformer.h.0.attn.c_attn.bias"));
    GptConfig c;
    c.n_layer = 1, c.n_embd = 8, c.n_head = 2, c.vocab_size = 10, c.n_positions = 4;
    c.validate();
    auto t = gpt2_hf_tensors(c);
    CHECK(t[4].name == "transformer.h.0.attn.c_attn.weight");
    CHECK(t[4].conv1d);
    CHECK(t[4].shape == std::vector<int64_t>{8, 24});
    CHECK(t[0].shape == std::vector<int64_t>{10, 8}); // unpadded
    float in[6] = {1, 2, 3, 4, 5, 6}, out[6];
    transpose_copy(in, 2, 3, out);
    CHECK(std::vector<float>(out, out + 6) == std::vector<float>{1, 4, 2, 5, 3, 6});
}
