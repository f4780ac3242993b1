// train/metrics.cpp: metrics.jsonl rows and the loss-curve SVG (see metrics.h).
#include "lmk/train/metrics.h"
#include "lmk/core/error.h"
#include "lmk/io/file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fmt/format.h>
#include <simdjson.h>

namespace lmk {

// JSON has no NaN/Inf: they are written as null (a NaN loss stops training anyway).
static std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

MetricsLog::MetricsLog(const std::string& dir, int64_t resume_step) : dir_(dir) {
    std::string path = dir + "/metrics.jsonl";
    std::string kept;
    if (resume_step >= 0 && file_exists(path)) {
        // Keep the rows up to the checkpoint; rebuild the plotted series from them.
        std::string text = read_file(path);
        simdjson::dom::parser parser;
        size_t start = 0;
        while (start < text.size()) {
            size_t nl = text.find('\n', start);
            if (nl == std::string::npos) nl = text.size();
            std::string line = text.substr(start, nl - start);
            start = nl + 1;
            simdjson::dom::element e;
            if (line.empty() || parser.parse(line).get(e)) continue; // a torn last line
            int64_t step = 0;
            if (e["step"].get_int64().get(step) || step > resume_step) continue;
            double v;
            if (!e["loss"].get_double().get(v)) train_.push_back({step, v});
            if (!e["val_loss"].get_double().get(v)) val_.push_back({step, v});
            kept += line + "\n";
        }
    }
    write_file(path, kept);
    f_ = std::fopen(path.c_str(), "a");
    if (!f_) throw Error(fmt::format("{}: cannot open: {}", path, errno_text(errno)));
}

MetricsLog::~MetricsLog() {
    if (f_) std::fclose(f_);
}

void MetricsLog::append_line(const std::string& line) {
    // One write per row and a flush, so `tail -f` and plotting scripts see whole rows.
    if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fflush(f_) != 0)
        throw Error(fmt::format("{}/metrics.jsonl: write failed: {}", dir_, errno_text(errno)));
}

void MetricsLog::add_train(const TrainRow& r) {
    append_line(fmt::format("{{\"step\": {}, \"loss\": {}, \"lr\": {}, \"grad_norm\": {}, \"tokens\": {}, "
                            "\"tokens_per_s\": {}, \"mfu\": {}, \"elapsed\": {}}}\n",
                            r.step, num(r.loss), num(r.lr), num(r.grad_norm), r.tokens,
                            num(std::round(r.tokens_per_s)), num(std::round(r.mfu * 1e4) / 1e4),
                            num(std::round(r.elapsed * 1e3) / 1e3)));
    train_.push_back({r.step, r.loss});
}

void MetricsLog::add_eval(int64_t step, double val_loss, double elapsed) {
    append_line(fmt::format("{{\"step\": {}, \"val_loss\": {}, \"elapsed\": {}}}\n", step, num(val_loss),
                            num(std::round(elapsed * 1e3) / 1e3)));
    val_.push_back({step, val_loss});
}

void MetricsLog::write_svg() const {
    write_file(svg_path(), render_loss_svg(train_, val_, "loss"));
}

std::string render_loss_svg(const std::vector<LossPoint>& train, const std::vector<LossPoint>& val,
                            const std::string& title) {
    const double W = 720, H = 420, left = 64, right = 20, top = 36, bottom = 48;
    const double pw = W - left - right, ph = H - top - bottom;
    int64_t smin = INT64_MAX, smax = INT64_MIN;
    double lmin = INFINITY, lmax = -INFINITY;
    // The y range ignores the first 2% of training steps: the initial loss (ln V) would
    // otherwise squash the interesting part of the curve into a few pixels.
    size_t skip = train.size() / 50;
    for (size_t i = 0; i < train.size(); i++) {
        smin = std::min(smin, train[i].step);
        smax = std::max(smax, train[i].step);
        if (i >= skip && std::isfinite(train[i].loss)) {
            lmin = std::min(lmin, train[i].loss);
            lmax = std::max(lmax, train[i].loss);
        }
    }
    for (const auto& p : val) {
        smin = std::min(smin, p.step);
        smax = std::max(smax, p.step);
        if (std::isfinite(p.loss)) {
            lmin = std::min(lmin, p.loss);
            lmax = std::max(lmax, p.loss);
        }
    }
    std::string s = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                                "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" font-size=\"12\">\n"
                                "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                                "<text x=\"{}\" y=\"22\" font-size=\"14\">{}</text>\n",
                                W, H, W, H, left, title);
    if (smin > smax || !std::isfinite(lmin)) return s + "<text x=\"300\" y=\"210\">no data yet</text>\n</svg>\n";
    if (smax == smin) smax = smin + 1;
    if (lmax - lmin < 1e-6) {
        lmax += 0.5;
        lmin -= 0.5;
    }
    double pad = 0.05 * (lmax - lmin);
    lmin -= pad;
    lmax += pad;
    auto X = [&](double step) { return left + pw * (step - double(smin)) / double(smax - smin); };
    auto Y = [&](double loss) { return top + ph * (1.0 - (std::clamp(loss, lmin, lmax) - lmin) / (lmax - lmin)); };
    // Axes with five ticks each.
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", left,
                     top, pw, ph);
    for (int i = 0; i <= 4; i++) {
        double fy = lmin + (lmax - lmin) * i / 4.0, y = Y(fy);
        double fx = double(smin) + double(smax - smin) * i / 4.0, x = X(fx);
        s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/>"
                         "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.3g}</text>\n",
                         left, left + pw, y, left - 6, y + 4, fy);
        s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:.0f}</text>\n", x, top + ph + 18, fx);
    }
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">step</text>\n", left + pw / 2, H - 8);
    auto polyline = [&](const std::vector<LossPoint>& pts, const char* style) {
        std::string p = fmt::format("<polyline fill=\"none\" {} points=\"", style);
        for (const auto& q : pts)
            if (std::isfinite(q.loss)) p += fmt::format("{:.1f},{:.1f} ", X(double(q.step)), Y(q.loss));
        return p + "\"/>\n";
    };
    if (!train.empty()) {
        s += polyline(train, "stroke=\"#9ecae1\" stroke-width=\"1\"");
        // Moving average, debiased as Adam debiases its moments, so early points are not
        // pulled toward zero.
        std::vector<LossPoint> ema;
        double m = 0, beta = train.size() > 200 ? 0.98 : 0.9, corr = 1;
        for (const auto& q : train) {
            if (!std::isfinite(q.loss)) continue;
            m = beta * m + (1 - beta) * q.loss;
            corr *= beta;
            ema.push_back({q.step, m / (1 - corr)});
        }
        s += polyline(ema, "stroke=\"#08519c\" stroke-width=\"2\"");
    }
    if (!val.empty()) {
        s += polyline(val, "stroke=\"#e6550d\" stroke-width=\"2\"");
        for (const auto& q : val)
            if (std::isfinite(q.loss))
                s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#e6550d\"/>\n", X(double(q.step)), Y(q.loss));
    }
    double lx = left + pw - 150;
    s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#08519c\" stroke-width=\"2\"/>"
                     "<text x=\"{3}\" y=\"{4}\">train (moving avg)</text>\n",
                     lx, lx + 20, top + 14, lx + 26, top + 18);
    if (!val.empty())
        s += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#e6550d\" stroke-width=\"2\"/>"
                         "<text x=\"{3}\" y=\"{4}\">validation</text>\n",
                         lx, lx + 20, top + 32, lx + 26, top + 36);
    return s + "</svg>\n";
}

} // namespace lmk
