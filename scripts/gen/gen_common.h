// scripts/gen/gen_common.h: shared pieces of the data generators (gen-testdata, gen-demo-data).
//
// Everything here is deterministic: every random choice draws from an lmk::Rng the caller
// seeded, so a generator run twice with the same seed writes byte-identical files. The
// pieces are
//   - pick/shuffle helpers over fixed tables;
//   - Common Crawl-style WARC header values (record ids, dates) and record builders for
//     warcinfo and WET "conversion" records;
//   - a small multilingual sentence generator (en, de, fr, es, zh, ja, ru, ar): each language
//     has subject phrases, verb phrases and time phrases whose every combination is a
//     grammatical, recognisable sentence (7 x 10 x 6 = 420 per language), so documents drawn
//     from it are distinct (low n-gram overlap) yet language identifiers classify them.
//
//   lmk::Rng rng(42);
//   std::string de = gen::sentences(rng, gen::Lang::de, 8);   // 8 German sentences, one line
//   lmk::WarcRecord r = gen::wet_record(rng, "https://a.example/x", gen::warc_date(3), "deu", de);
#pragma once
#include "lmk/core/rng.h"
#include "lmk/io/warc.h"

#include <fmt/core.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace gen {

template <typename Seq> const auto& pick(lmk::Rng& rng, const Seq& seq) {
    return seq[rng.below(std::size(seq))];
}

// Fisher-Yates, driven by rng (std::shuffle's algorithm is unspecified across libraries).
template <typename T> void shuffle(lmk::Rng& rng, std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; i--) std::swap(v[i - 1], v[rng.below(i)]);
}

// "<urn:uuid:8-4-4-4-12>" with version 4 and variant bits set, as Common Crawl writes ids.
inline std::string warc_record_id(lmk::Rng& rng) {
    uint64_t a = rng.next_u64(), b = rng.next_u64();
    a = (a & ~0xF000ULL) | 0x4000ULL;                          // version 4
    b = (b & ~(3ULL << 62)) | (2ULL << 62);                    // variant 10xx
    return fmt::format("<urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}>", uint32_t(a >> 32),
                       uint32_t((a >> 16) & 0xFFFF), uint32_t(a & 0xFFFF), uint32_t(b >> 48),
                       b & 0xFFFFFFFFFFFFULL);
}

// A WARC-Date for record number i: fixed base instant plus i*7 seconds (never the clock).
inline std::string warc_date(uint64_t i) {
    uint64_t s = 10 * 3600 + 15 * 60 + i * 7; // from 2024-02-21T10:15:00Z
    uint64_t day = 21 + s / 86400;
    s %= 86400;
    return fmt::format("2024-02-{:02d}T{:02d}:{:02d}:{:02d}Z", day, s / 3600, (s / 60) % 60, s % 60);
}

// A WET file's first record: what made the file.
inline lmk::WarcRecord warcinfo_record(lmk::Rng& rng, std::string_view filename, std::string_view body) {
    lmk::WarcRecord r;
    r.version = "WARC/1.0";
    r.headers = {{"WARC-Type", "warcinfo"},
                 {"WARC-Date", warc_date(0)},
                 {"WARC-Filename", std::string(filename)},
                 {"WARC-Record-ID", warc_record_id(rng)},
                 {"Content-Type", "application/warc-fields"},
                 {"Content-Length", "0"}}; // the writer computes it
    r.body = std::string(body);
    return r;
}

// A WET "conversion" record (extracted text of a crawled page) with Common Crawl's headers.
// lang is Common Crawl's WARC-Identified-Content-Language value (ISO 639-3, comma list).
inline lmk::WarcRecord wet_record(lmk::Rng& rng, std::string_view uri, std::string_view date,
                                  std::string_view lang, std::string_view text) {
    lmk::WarcRecord r;
    r.version = "WARC/1.0";
    std::string id = warc_record_id(rng), refers = warc_record_id(rng);
    r.headers = {{"WARC-Type", "conversion"},
                 {"WARC-Target-URI", std::string(uri)},
                 {"WARC-Date", std::string(date)},
                 {"WARC-Record-ID", id},
                 {"WARC-Refers-To", refers},
                 {"WARC-Identified-Content-Language", std::string(lang)},
                 {"Content-Type", "text/plain"},
                 {"Content-Length", "0"}};
    r.body = std::string(text);
    return r;
}

// ---- multilingual sentences -------------------------------------------------------------

enum class Lang { en, de, fr, es, zh, ja, ru, ar };
constexpr std::array<Lang, 8> kAllLangs = {Lang::en, Lang::de, Lang::fr, Lang::es,
                                           Lang::zh, Lang::ja, Lang::ru, Lang::ar};

struct LangTable {
    const char* code;      // ISO 639-1, as lmkit's "lang" fields use
    const char* cc_code;   // ISO 639-3, as Common Crawl's WARC-Identified-Content-Language
    bool spaces;           // words separated by spaces (false: zh, ja)
    const char* end;       // sentence terminator
    std::array<const char*, 7> subjects;
    std::array<const char*, 10> verbs;  // verb phrase, agreeing with every subject
    std::array<const char*, 6> times;
    std::array<const char*, 3> menu;    // navigation words for boilerplate lines
};

// Order of the frame: spaced languages write "Subject verb time." and zh/ja "time subject verb".
inline const LangTable& lang_table(Lang l) {
    static const LangTable tables[] = {
        {"en", "eng", true, ".",
         {"My friend", "The teacher", "Our neighbour", "The little boy", "My father", "The old dog", "A student"},
         {"reads a book", "drinks a cup of tea", "plays in the garden", "walks to school", "cooks dinner",
          "writes a letter", "works in the city", "waits for the bus", "buys fresh bread", "visits the market"},
         {"today", "in the morning", "every day", "on the weekend", "after lunch", "in the summer"},
         {"Home", "About", "Contact"}},
        {"de", "deu", true, ".",
         {"Mein Freund", "Der Lehrer", "Unser Nachbar", "Der kleine Junge", "Mein Vater", "Der alte Hund", "Ein Student"},
         {"liest ein Buch", "trinkt eine Tasse Tee", "spielt im Garten", "geht zur Schule", "kocht das Abendessen",
          "schreibt einen Brief", "arbeitet in der Stadt", "wartet auf den Bus", "kauft frisches Brot", "besucht den Markt"},
         {"heute", "am Morgen", "jeden Tag", "am Wochenende", "nach dem Mittagessen", "im Sommer"},
         {"Startseite", "Über uns", "Kontakt"}},
        {"fr", "fra", true, ".",
         {"Mon ami", "Le professeur", "Notre voisin", "Le petit garçon", "Mon père", "Le vieux chien", "Un étudiant"},
         {"lit un livre", "boit une tasse de thé", "joue dans le jardin", "va à l'école", "prépare le dîner",
          "écrit une lettre", "travaille en ville", "attend le bus", "achète du pain frais", "visite le marché"},
         {"aujourd'hui", "le matin", "chaque jour", "le week-end", "après le déjeuner", "en été"},
         {"Accueil", "À propos", "Contact"}},
        {"es", "spa", true, ".",
         {"Mi amigo", "El profesor", "Nuestro vecino", "El niño pequeño", "Mi padre", "El perro viejo", "Un estudiante"},
         {"lee un libro", "bebe una taza de té", "juega en el jardín", "camina a la escuela", "prepara la cena",
          "escribe una carta", "trabaja en la ciudad", "espera el autobús", "compra pan fresco", "visita el mercado"},
         {"hoy", "por la mañana", "cada día", "el fin de semana", "después del almuerzo", "en verano"},
         {"Inicio", "Acerca de", "Contacto"}},
        {"zh", "zho", false, "。",
         {"我的朋友", "老师", "我们的邻居", "那个小男孩", "我的爸爸", "那只老狗", "一个学生"},
         {"在看书", "喝了一杯茶", "在花园里玩", "走路去学校", "在做晚饭", "在写信", "在城市里工作",
          "在等公共汽车", "买了新鲜的面包", "去了市场"},
         {"今天", "早上", "每天", "周末", "午饭以后", "夏天"},
         {"首页", "关于我们", "联系我们"}},
        {"ja", "jpn", false, "。",
         {"私の友達は", "先生は", "隣の人は", "その小さな男の子は", "父は", "その年をとった犬は", "ある学生は"},
         {"本を読みます", "お茶を飲みます", "庭で遊びます", "歩いて学校に行きます", "晩ご飯を作ります",
          "手紙を書きます", "町で働きます", "バスを待ちます", "新しいパンを買います", "市場に行きます"},
         {"今日、", "朝、", "毎日、", "週末に、", "昼ご飯のあとで、", "夏に、"},
         {"ホーム", "会社概要", "お問い合わせ"}},
        {"ru", "rus", true, ".",
         {"Мой друг", "Учитель", "Наш сосед", "Маленький мальчик", "Мой отец", "Старый пёс", "Один студент"},
         {"читает книгу", "пьёт чашку чая", "играет в саду", "идёт в школу", "готовит ужин",
          "пишет письмо", "работает в городе", "ждёт автобус", "покупает свежий хлеб", "ходит на рынок"},
         {"сегодня", "утром", "каждый день", "по выходным", "после обеда", "летом"},
         {"Главная", "О нас", "Контакты"}},
        {"ar", "ara", true, ".",
         {"صديقي", "المعلم", "جارنا", "الولد الصغير", "أبي", "الكلب العجوز", "طالب"},
         {"يقرأ كتابا", "يشرب كوبا من الشاي", "يلعب في الحديقة", "يمشي إلى المدرسة", "يطبخ العشاء",
          "يكتب رسالة", "يعمل في المدينة", "ينتظر الحافلة", "يشتري خبزا طازجا", "يزور السوق"},
         {"اليوم", "في الصباح", "كل يوم", "في عطلة نهاية الأسبوع", "بعد الغداء", "في الصيف"},
         {"الرئيسية", "من نحن", "اتصل بنا"}},
    };
    return tables[size_t(l)];
}

// One sentence of language l.
inline std::string sentence(lmk::Rng& rng, Lang l) {
    const LangTable& t = lang_table(l);
    const char* subj = pick(rng, t.subjects);
    const char* verb = pick(rng, t.verbs);
    const char* time = pick(rng, t.times);
    if (!t.spaces) return fmt::format("{}{}{}{}", time, subj, verb, t.end);
    return fmt::format("{} {} {}{}", subj, verb, time, t.end);
}

// n sentences joined by the language's separator (a space, or nothing for zh/ja).
inline std::string sentences(lmk::Rng& rng, Lang l, int n) {
    std::string s;
    for (int i = 0; i < n; i++) {
        if (i && lang_table(l).spaces) s += ' ';
        s += sentence(rng, l);
    }
    return s;
}

} // namespace gen
