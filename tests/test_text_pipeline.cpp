#include "lmk/text/pipeline.h"

#include "lmk/core/error.h"
#include "test_text_helpers.h"

#include <doctest/doctest.h>

using namespace lmk;
using lmk_test::join;

namespace {
const std::string kEnglish =
    "The history of the town goes back to the twelfth century, when a small group of farmers settled by the "
    "river.\nOver the following years the settlement grew into a market town with a church and a mill.\n"
    "Today the town is known for its old bridge and its annual summer fair, which draws many visitors.";
} // namespace

TEST_CASE("pipeline: filter list parsing") {
    auto all = parse_filter_list("all");
    CHECK(all.size() == 9);
    auto two = parse_filter_list("c4,length");
    REQUIRE(two.size() == 2);
    CHECK(two[0] == FilterId::c4);
    CHECK(two[1] == FilterId::length);
    CHECK_THROWS_AS(parse_filter_list("c4,c5"), Error);
    CHECK(std::string(filter_name(FilterId::gopher_repetition)) == "gopher-repetition");
}

TEST_CASE("pipeline: first rejection wins; counts add up") {
    FilterConfig cfg;
    cfg.length.min_chars = 10;
    Pipeline p(parse_filter_list("length,lang,c4"), cfg, {});
    PipelineStats st;
    Document d;
    d.text = kEnglish;
    auto o = p.run(d, st);
    CHECK(o.kept);
    CHECK(o.text == kEnglish);
    CHECK(o.lang == "en");
    CHECK(o.lang_score > 0.9);
    d.text = "short";
    o = p.run(d, st);
    CHECK_FALSE(o.kept);
    CHECK(o.filter == "length");
    CHECK(o.rejection.reason == "too_short");
    d.text = "Der schnelle braune Fuchs springt über den faulen Hund, während der Bauer zusieht und trinkt.";
    o = p.run(d, st);
    CHECK(o.filter == "lang");
    CHECK(o.rejection.reason == "unwanted_language");
    d.text = "An English line that is long enough but is the only sentence here.";
    o = p.run(d, st);
    CHECK(o.filter == "c4");
    CHECK(o.rejection.reason == "too_few_sentences");
    CHECK(st.docs_in == 4);
    CHECK(st.kept == 1);
    CHECK(st.rejected == 3);
    CHECK(st.filters["length"].in == 4);
    CHECK(st.filters["lang"].in == 3);
    CHECK(st.filters["c4"].in == 2);
    CHECK(st.filters["c4"].reasons["too_few_sentences"] == 1);
    CHECK(st.languages["en"] == 1);
}

TEST_CASE("pipeline: normalization, WARC language source, pii, badwords language") {
    FilterConfig cfg;
    cfg.lang.source = "warc";
    cfg.lang.languages = {"es"};
    BadWords bw;
    bw.add_language("es", {"malo"});
    Pipeline p(parse_filter_list("lang,badwords,pii"), cfg, {&bw, nullptr});
    PipelineStats st;
    Document d;
    d.text = "  Hola\r\n\r\n\r\nescribe a ana@correo.es  ";
    d.warc_lang = "spa,eng";
    auto o = p.run(d, st);
    CHECK(o.kept);
    CHECK(o.lang == "es");
    CHECK(o.lang_score == -1);
    CHECK(o.text == "Hola\n\nescribe a email@example.com");
    d.text = "esto es malo";
    o = p.run(d, st);
    CHECK(o.filter == "badwords");
    CHECK(st.pii.emails == 1);
}

TEST_CASE("pipeline: filters that need resources say so") {
    CHECK_THROWS_AS(Pipeline(parse_filter_list("badwords"), FilterConfig{}, {}), Error);
    CHECK_THROWS_AS(Pipeline(parse_filter_list("url"), FilterConfig{}, {}), Error);
}

TEST_CASE("pipeline: lang.max_bytes lets CLD2 judge a prefix only (default: the whole text)") {
    const std::string german =
        "Die Geschichte der Stadt reicht bis ins zwölfte Jahrhundert zurück, als sich eine kleine Gruppe von "
        "Bauern am Fluss niederließ. In den folgenden Jahren wuchs die Siedlung zu einer Marktstadt mit einer "
        "Kirche und einer Mühle. Heute ist die Stadt für ihre alte Brücke und ihr jährliches Sommerfest bekannt.\n";
    Document d;
    d.text = kEnglish + "\n";
    for (int i = 0; i < 6; i++) d.text += german;
    FilterConfig cfg;
    cfg.lang.languages.clear();
    cfg.lang.min_score = 0;
    PipelineStats st;
    CHECK(Pipeline(parse_filter_list("lang"), cfg, {}).run(d, st).lang == "de"); // the whole page
    cfg.lang.max_bytes = double(kEnglish.size());
    CHECK(Pipeline(parse_filter_list("lang"), cfg, {}).run(d, st).lang == "en"); // its English start
    // A limit inside a multibyte character cuts before that character.
    Document u;
    u.text = kEnglish + "\u00fc" + german.substr(0, german.size() - 1); // normalization keeps it as it is
    cfg.lang.max_bytes = double(kEnglish.size() + 1);
    auto o = Pipeline(parse_filter_list("lang"), cfg, {}).run(u, st);
    CHECK(o.lang == "en");
    CHECK(o.text == u.text); // only the judged text is cut, never the document
}
