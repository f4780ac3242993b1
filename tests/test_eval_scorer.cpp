// Tests for eval/scorer.h: the shared-context KV-cache path equals plain full-sequence
// scoring, and both equal log-softmax of the model's own forward() (model/gpt.h); rolling
// windows and greedy generation follow lm-eval's rules.
#include "eval_fixture.h"
#include "lmk/eval/scorer.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace lmk;

// Reference: log p(cont | ctx) from Gpt::forward over the whole (ctx + cont)[:-1].
static std::vector<double> reference_logprobs(Gpt& m, const std::vector<int32_t>& ctx, const std::vector<int32_t>& cont) {
    std::vector<int32_t> all(ctx);
    all.insert(all.end(), cont.begin(), cont.end());
    all.pop_back();
    nn::Graph g;
    nn::NoGradScope ng(g);
    g.training = false;
    nn::Var l = m.forward(g, all.data(), 1, int64_t(all.size()));
    const int64_t Vp = m.config().padded_vocab_size, V = m.config().vocab_size;
    std::vector<double> out;
    for (size_t j = 0; j < cont.size(); j++) {
        const float* row = l.data() + int64_t(ctx.size() - 1 + j) * Vp;
        double mx = row[0], s = 0;
        for (int64_t v = 1; v < V; v++) mx = std::max(mx, double(row[v]));
        for (int64_t v = 0; v < V; v++) s += std::exp(double(row[v]) - mx);
        out.push_back(double(row[cont[j]]) - mx - std::log(s));
    }
    return out;
}

TEST_CASE("encode_pair: whitespace moves to the continuation; continuation = whole minus context") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt();
    Scorer sc(*m, *tk);
    // " the" is one token (258) only when the space travels with it
    auto [ctx, cont] = sc.encode_pair("say ", "the");
    CHECK(ctx == std::vector<int32_t>{'s', 'a', 'y'});
    CHECK(cont == std::vector<int32_t>{258});
    auto [c2, k2] = sc.encode_pair("", " the");
    CHECK(c2 == std::vector<int32_t>{259}); // empty context -> the end-of-text prefix token
    CHECK(k2 == std::vector<int32_t>{258});
}

TEST_CASE("score_choices (cached context, batched choices) equals full-sequence references") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt();
    Scorer sc(*m, *tk);
    std::vector<int32_t> ctx = sc.encode("Question: where is the cat?\nAnswer:");
    std::vector<std::vector<int32_t>> conts = {sc.encode(" on the mat"), sc.encode(" x"), sc.encode(" the hat, then")};
    auto rs = sc.score_choices(ctx, conts);
    REQUIRE(rs.size() == 3);
    for (size_t i = 0; i < conts.size(); i++) {
        auto ref = reference_logprobs(*m, ctx, conts[i]);
        double sum = 0;
        for (size_t j = 0; j < ref.size(); j++) {
            CHECK(rs[i].token_logprobs[j] == doctest::Approx(ref[j]).epsilon(1e-5));
            sum += ref[j];
        }
        CHECK(rs[i].logprob == doctest::Approx(sum).epsilon(1e-5));
        CHECK(rs[i].tokens == int64_t(conts[i].size()));
        LlResult one = sc.score(ctx, conts[i]);
        CHECK(one.logprob == doctest::Approx(rs[i].logprob).epsilon(1e-5));
        CHECK(one.is_greedy == rs[i].is_greedy);
    }
    CHECK(rs[0].logprob != doctest::Approx(rs[2].logprob));
}

TEST_CASE("is_greedy is true exactly when each token is the arg-max") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt();
    Scorer sc(*m, *tk);
    std::vector<int32_t> ctx = sc.encode("abc");
    std::string greedy = sc.generate_until("abc", {}, 3);
    std::vector<int32_t> g = sc.encode(greedy);
    // re-encoding may merge differently; score the generated ids themselves instead
    std::vector<int32_t> ids;
    for (unsigned char ch : greedy) ids.push_back(ch);
    if (!g.empty() && g == ids) {
        CHECK(sc.score(ctx, ids).is_greedy);
    }
    std::vector<int32_t> other{ids.empty() ? 1 : (ids[0] + 1) % 256};
    CHECK_FALSE(sc.score(ctx, other).is_greedy);
}

TEST_CASE("left truncation: (context + continuation)[-(L+1):][:-1]") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt(16);
    Scorer sc(*m, *tk);
    std::vector<int32_t> ctx;
    for (int i = 0; i < 20; i++) ctx.push_back(int32_t('a' + i % 26));
    std::vector<int32_t> cont{'x', 'y', 'z'};
    // L = 16: the scored input is the last 16 of the 23 tokens minus the final one, i.e. the
    // reference with the context cut to its last 13 tokens.
    std::vector<int32_t> cut(ctx.end() - 14, ctx.end());
    auto ref = reference_logprobs(*m, cut, cont);
    auto rs = sc.score_choices(ctx, {cont});
    CHECK(rs[0].logprob == doctest::Approx(ref[0] + ref[1] + ref[2]).epsilon(1e-5));
}

TEST_CASE("rolling windows equal lm-eval's get_rolling_token_windows + make_disjoint_window") {
    std::vector<int32_t> t{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    auto w = rolling_windows(t, 99, 4, 1);
    // lm-eval with max_seq_len=4, context_len=1, prefix 99:
    //   [([99], [0, 1, 2, 3]), ([3], [4, 5, 6, 7]), ([5, 6, 7], [8, 9])]   (python3)
    REQUIRE(w.size() == 3);
    CHECK(w[0].first == std::vector<int32_t>{99});
    CHECK(w[0].second == std::vector<int32_t>{0, 1, 2, 3});
    CHECK(w[1].first == std::vector<int32_t>{3});
    CHECK(w[1].second == std::vector<int32_t>{4, 5, 6, 7});
    CHECK(w[2].first == std::vector<int32_t>{5, 6, 7});
    CHECK(w[2].second == std::vector<int32_t>{8, 9});
    CHECK(rolling_windows({}, 99, 4).empty());
}

TEST_CASE("score_rolling sums every token's log-probability once") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt(8);
    Scorer sc(*m, *tk);
    std::vector<int32_t> t = sc.encode("the theme of the thesis, then the end");
    REQUIRE(t.size() > 16);
    int64_t windows = 0;
    double got = sc.score_rolling(t, &windows);
    double want = 0;
    for (auto& [c, p] : rolling_windows(t, 259, 8)) {
        // the window's input is (c + p)[:-1] with c as context: the reference's own layout
        for (double x : reference_logprobs(*m, c, p)) want += x;
    }
    CHECK(windows == int64_t((t.size() + 7) / 8));
    CHECK(got == doctest::Approx(want).epsilon(1e-5));
}

TEST_CASE("generate_until is greedy, stops at a stop string and cuts before it") {
    auto tk = eval_fixture::tiny_tokenizer();
    auto m = eval_fixture::tiny_gpt();
    Scorer sc(*m, *tk);
    int64_t n = 0;
    std::string free_run = sc.generate_until("the ", {}, 12, &n);
    // greedy reference through the model's own cached decoding
    std::vector<int32_t> ids = sc.encode("the ");
    KvCache cache(m->config(), 64);
    nn::Graph g;
    nn::NoGradScope ng(g);
    g.training = false;
    std::vector<uint32_t> gen;
    nn::Var l = m->forward_cached(g, ids.data(), int64_t(ids.size()), cache);
    for (int i = 0; i < 12; i++) {
        int32_t best = 0;
        for (int32_t v = 1; v < 260; v++)
            if (l.data()[v] > l.data()[best]) best = v;
        if (best == 259) break;
        gen.push_back(uint32_t(best));
        g.reset();
        l = m->forward_cached(g, &best, 1, cache);
    }
    CHECK(free_run == tk->decode(gen));
    CHECK(n == int64_t(gen.size()));
    if (free_run.size() > 2) {
        std::string stop = free_run.substr(1, 1);
        std::string cut = sc.generate_until("the ", {stop}, 12);
        CHECK(cut == free_run.substr(0, free_run.find(stop)));
    }
}
