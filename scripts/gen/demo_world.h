// scripts/gen/demo_world.h: the small, consistent "world" behind make demo's embedded dataset.
//
// A tiny GPT trained for a few CPU minutes should visibly learn something, so the good pages
// carry simple, regular language about one fixed set of facts: animals (sound, home, baby,
// food, legs), colors of things, opposites, small sums, days and seasons. Three renderers
// share the facts:
//   - story(): a templated children's story (opening, habit, event, reaction, problem,
//     resolution, ending; ~60 sentence templates over ~400 words of vocabulary);
//   - fact_question(): "Question: What sound does a cow make? Answer: A cow says moo." with
//     three wrong answers phrased the same way (for the multiple-choice task and rejected
//     preference answers);
//   - fact_paragraph(): a short factual paragraph about an animal or a topic.
// Because pretraining pages, SFT examples, preferences and the evaluation task all draw from
// the same facts, each later stage can show that the model learned them.
//
//   lmk::Rng rng(1);
//   std::string s = demo::story(rng, {});              // a story about a random animal
//   demo::Fact f = demo::fact_question(rng, demo::FactKind::sound);
//   // f.question "What sound does a cow make?", f.answer "A cow says moo.", f.wrong[0..2]
#pragma once
#include "gen_common.h"
#include "lmk/core/error.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace demo {

using gen::pick;

struct Animal {
    const char* name;
    const char* sound;  // what it "says"; "" if none
    const char* home;   // "in a barn"
    const char* baby;   // "" if no common word
    const char* food;   // what it "likes to eat"
    int legs;           // -1: not stated
    const char* kind;   // "farm animal"
};

inline const std::vector<Animal>& animals() {
    static const std::vector<Animal> v = {
        {"cow", "moo", "in a barn", "calf", "grass", 4, "farm animal"},
        {"dog", "woof", "in a kennel", "puppy", "bones", 4, "pet"},
        {"cat", "meow", "in a warm house", "kitten", "fish", 4, "pet"},
        {"duck", "quack", "on a pond", "duckling", "seeds", 2, "bird"},
        {"sheep", "baa", "in a field", "lamb", "grass", 4, "farm animal"},
        {"pig", "oink", "in a sty", "piglet", "corn", 4, "farm animal"},
        {"horse", "neigh", "in a stable", "foal", "hay", 4, "farm animal"},
        {"hen", "cluck", "in a coop", "chick", "grain", 2, "bird"},
        {"owl", "hoot", "in a hollow tree", "owlet", "mice", 2, "bird"},
        {"lion", "roar", "in the grassland", "cub", "meat", 4, "wild animal"},
        {"bee", "buzz", "in a hive", "", "nectar", 6, "insect"},
        {"frog", "ribbit", "near a pond", "tadpole", "flies", 4, "small animal"},
        {"bear", "growl", "in a cave", "cub", "honey", 4, "wild animal"},
        {"fox", "", "in a den", "kit", "berries", 4, "wild animal"},
        {"rabbit", "", "in a burrow", "bunny", "carrots", 4, "small animal"},
        {"mouse", "squeak", "in a little hole", "pup", "cheese", 4, "small animal"},
        {"snake", "hiss", "under the rocks", "", "eggs", 0, "reptile"},
        {"spider", "", "in a web", "spiderling", "bugs", 8, "small animal"},
        {"monkey", "", "in the jungle", "", "bananas", -1, "wild animal"},
        {"goat", "maa", "on a farm", "kid", "leaves", 4, "farm animal"},
        {"bird", "tweet", "in a nest", "chick", "worms", 2, "bird"},
        {"fish", "", "in the water", "fry", "tiny plants", 0, "water animal"},
        {"squirrel", "", "in a tall tree", "", "nuts", 4, "small animal"},
        {"panda", "", "in a bamboo forest", "cub", "bamboo", 4, "wild animal"},
        {"turtle", "", "in a quiet pond", "hatchling", "lettuce", 4, "reptile"},
        {"ant", "", "in an anthill", "", "crumbs", 6, "insect"},
        {"crow", "caw", "in a high nest", "", "corn seeds", 2, "bird"},
        {"donkey", "hee-haw", "in a small barn", "foal", "hay and oats", 4, "farm animal"},
        {"wolf", "", "in the forest", "pup", "meat", 4, "wild animal"},
        {"deer", "", "in the woods", "fawn", "green leaves", 4, "wild animal"},
    };
    return v;
}

// "a cow", "an owl".
inline std::string with_article(std::string_view noun) {
    bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
    return std::string(vowel ? "an " : "a ") + std::string(noun);
}

inline std::string capitalize(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
    return s;
}

inline const char* number_word(int n) {
    static const char* w[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                              "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                              "eighteen", "nineteen", "twenty"};
    return w[n];
}

// (thing, color): "What color is the sky?" -> "The sky is blue."
inline const std::vector<std::pair<const char*, const char*>>& colors() {
    static const std::vector<std::pair<const char*, const char*>> v = {
        {"the sky", "blue"},       {"grass", "green"},      {"snow", "white"},        {"the sun", "yellow"},
        {"a banana", "yellow"},    {"a strawberry", "red"}, {"a carrot", "orange"},   {"a leaf", "green"},
        {"the sea", "blue"},       {"coal", "black"},       {"milk", "white"},        {"a cherry", "red"},
        {"a lemon", "yellow"},     {"a grape", "purple"},   {"a tomato", "red"},      {"a pumpkin", "orange"},
        {"chocolate", "brown"},    {"a crow", "black"},     {"a frog", "green"},      {"a cloud", "white"},
        {"a plum", "purple"},      {"a fire truck", "red"}, {"a tree trunk", "brown"}, {"an orange", "orange"},
        {"the night sky", "dark"}, {"a lime", "green"},     {"a pig", "pink"},        {"a polar bear", "white"},
    };
    return v;
}
inline const std::vector<const char*>& color_words() {
    static const std::vector<const char*> v = {"blue", "green", "white", "yellow", "red", "orange", "black",
                                               "purple", "brown", "pink", "dark", "gray"};
    return v;
}

inline const std::vector<std::pair<const char*, const char*>>& opposites() {
    static const std::vector<std::pair<const char*, const char*>> v = {
        {"hot", "cold"},  {"big", "small"},    {"up", "down"},      {"day", "night"},   {"fast", "slow"},
        {"happy", "sad"}, {"open", "closed"},  {"wet", "dry"},      {"old", "young"},   {"tall", "short"},
        {"light", "dark"}, {"full", "empty"},  {"loud", "quiet"},   {"hard", "soft"},   {"early", "late"},
        {"in", "out"},    {"left", "right"},   {"near", "far"},     {"thick", "thin"},  {"clean", "dirty"},
    };
    return v;
}

inline const std::vector<const char*>& days() {
    static const std::vector<const char*> v = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    return v;
}

// (season, what it is like)
inline const std::vector<std::pair<const char*, const char*>>& seasons() {
    static const std::vector<std::pair<const char*, const char*>> v = {
        {"spring", "it is warm and flowers grow"},
        {"summer", "it is hot and sunny"},
        {"autumn", "it is cool and the leaves fall from the trees"},
        {"winter", "it is cold and snow falls"},
    };
    return v;
}

// ---- facts as question/answer pairs -------------------------------------------------------

enum class FactKind { color, sound, home, baby, food, legs, opposite, sum, day, season };
constexpr FactKind kAllFactKinds[] = {FactKind::color, FactKind::sound, FactKind::home, FactKind::baby,
                                      FactKind::food, FactKind::legs, FactKind::opposite, FactKind::sum,
                                      FactKind::day, FactKind::season};
// The kinds a tiny model can learn by heart (no arithmetic): used by the evaluation task.
constexpr FactKind kRecallKinds[] = {FactKind::color, FactKind::sound, FactKind::home, FactKind::baby,
                                     FactKind::food, FactKind::legs, FactKind::opposite};

struct Fact {
    std::string question;            // "What sound does a cow make?"
    std::string answer;              // "A cow says moo."
    std::vector<std::string> wrong;  // three wrong answers in the answer's exact form
};

// Picks three distinct values other than `right` from `pool` (by value).
template <typename Get>
std::vector<std::string> distractors(lmk::Rng& rng, size_t pool_size, Get get, const std::string& right) {
    std::vector<std::string> out;
    for (int tries = 0; out.size() < 3 && tries < 1000; tries++) {
        std::string v = get(rng.below(pool_size));
        if (v.empty() || v == right || std::find(out.begin(), out.end(), v) != out.end()) continue;
        out.push_back(v);
    }
    return out;
}

inline std::string legs_phrase(int n) { return n == 0 ? "no legs" : fmt::format("{} legs", number_word(n)); }

// One fact of the given kind, about a random subject.
inline Fact fact_question(lmk::Rng& rng, FactKind kind) {
    const auto& A = animals();
    auto animal_with = [&](auto has) {
        for (;;) {
            const Animal& a = A[rng.below(A.size())];
            if (has(a)) return a;
        }
    };
    Fact f;
    std::vector<std::string> wrong_values;
    std::function<std::string(const std::string&)> render;
    switch (kind) {
    case FactKind::color: {
        auto [thing, color] = pick(rng, colors());
        f.question = fmt::format("What color is {}?", thing);
        render = [thing = std::string(thing)](const std::string& c) { return capitalize(fmt::format("{} is {}.", thing, c)); };
        f.answer = render(color);
        wrong_values = distractors(rng, color_words().size(), [](size_t i) { return std::string(color_words()[i]); }, color);
        break;
    }
    case FactKind::sound: {
        const Animal& a = animal_with([](const Animal& x) { return *x.sound != 0; });
        f.question = fmt::format("What sound does {} make?", with_article(a.name));
        render = [n = with_article(a.name)](const std::string& s) { return capitalize(fmt::format("{} says {}.", n, s)); };
        f.answer = render(a.sound);
        wrong_values = distractors(rng, A.size(), [&](size_t i) { return std::string(A[i].sound); }, a.sound);
        break;
    }
    case FactKind::home: {
        const Animal& a = pick(rng, A);
        f.question = fmt::format("Where does {} live?", with_article(a.name));
        render = [n = with_article(a.name)](const std::string& h) { return capitalize(fmt::format("{} lives {}.", n, h)); };
        f.answer = render(a.home);
        wrong_values = distractors(rng, A.size(), [&](size_t i) { return std::string(A[i].home); }, a.home);
        break;
    }
    case FactKind::baby: {
        const Animal& a = animal_with([](const Animal& x) { return *x.baby != 0; });
        f.question = fmt::format("What is a baby {} called?", a.name);
        render = [n = std::string(a.name)](const std::string& b) { return fmt::format("A baby {} is called {}.", n, b); };
        f.answer = render(with_article(a.baby));
        wrong_values = distractors(rng, A.size(),
                                   [&](size_t i) { return *A[i].baby ? with_article(A[i].baby) : std::string(); },
                                   with_article(a.baby));
        break;
    }
    case FactKind::food: {
        const Animal& a = pick(rng, A);
        f.question = fmt::format("What does {} like to eat?", with_article(a.name));
        render = [n = with_article(a.name)](const std::string& x) { return capitalize(fmt::format("{} likes to eat {}.", n, x)); };
        f.answer = render(a.food);
        wrong_values = distractors(rng, A.size(), [&](size_t i) { return std::string(A[i].food); }, a.food);
        break;
    }
    case FactKind::legs: {
        const Animal& a = animal_with([](const Animal& x) { return x.legs >= 0; });
        f.question = fmt::format("How many legs does {} have?", with_article(a.name));
        render = [n = with_article(a.name)](const std::string& l) { return capitalize(fmt::format("{} has {}.", n, l)); };
        f.answer = render(legs_phrase(a.legs));
        static const int counts[] = {0, 2, 4, 6, 8};
        wrong_values = distractors(rng, 5, [](size_t i) { return legs_phrase(counts[i]); }, legs_phrase(a.legs));
        break;
    }
    case FactKind::opposite: {
        auto [w, o] = pick(rng, opposites());
        f.question = fmt::format("What is the opposite of {}?", w);
        render = [w = std::string(w)](const std::string& x) { return fmt::format("The opposite of {} is {}.", w, x); };
        f.answer = render(o);
        const auto& O = opposites();
        wrong_values = distractors(rng, O.size(), [&](size_t i) { return std::string(O[i].second); }, o);
        break;
    }
    case FactKind::sum: {
        int a = int(rng.below(11)), b = int(rng.below(11)), c = a + b;
        f.question = fmt::format("What is {} plus {}?", number_word(a), number_word(b));
        render = [a, b](const std::string& x) { return fmt::format("{} plus {} is {}.", capitalize(number_word(a)), number_word(b), x); };
        f.answer = render(number_word(c));
        wrong_values = distractors(rng, 21, [](size_t i) { return std::string(number_word(int(i))); }, number_word(c));
        break;
    }
    case FactKind::day: {
        size_t d = rng.below(7);
        const char* next = days()[(d + 1) % 7];
        f.question = fmt::format("What day comes after {}?", days()[d]);
        render = [day = std::string(days()[d])](const std::string& x) { return fmt::format("{} comes after {}.", x, day); };
        f.answer = render(next);
        wrong_values = distractors(rng, 7, [&](size_t i) { return i == d ? std::string() : std::string(days()[i]); }, next);
        break;
    }
    case FactKind::season: {
        auto [s, like] = pick(rng, seasons());
        f.question = fmt::format("What is the weather like in {}?", s);
        render = [s = std::string(s)](const std::string& x) { return fmt::format("In {}, {}.", s, x); };
        f.answer = render(like);
        const auto& S = seasons();
        wrong_values = distractors(rng, S.size(), [&](size_t i) { return std::string(S[i].second); }, like);
        break;
    }
    }
    for (const std::string& v : wrong_values) f.wrong.push_back(render(v));
    return f;
}

inline Fact random_fact(lmk::Rng& rng) { return fact_question(rng, pick(rng, kAllFactKinds)); }

// ---- factual paragraphs -------------------------------------------------------------------

// Sentences about one animal, in a stable order with a random subset left out.
inline std::string animal_paragraph(lmk::Rng& rng, const Animal& a) {
    std::string n = with_article(a.name), N = capitalize(n);
    std::vector<std::string> s;
    s.push_back(fmt::format("The {} is {} that many children know and like to read about.", a.name, with_article(a.kind)));
    if (*a.sound) s.push_back(fmt::format("{} says {}.", N, a.sound));
    static const char* home_tails[] = {", where it can rest and stay safe", ", where it sleeps at night",
                                       ", and it knows every path around its home", ""};
    s.push_back(fmt::format("{} lives {}{}.", N, a.home, pick(rng, home_tails)));
    s.push_back(fmt::format("{} likes to eat {}.", N, a.food));
    static const char* baby_tails[] = {", and it stays close to its mother", ", and it grows up fast",
                                       ", and it likes to play all day", ""};
    if (*a.baby) s.push_back(fmt::format("A baby {} is called {}{}.", a.name, with_article(a.baby), pick(rng, baby_tails)));
    if (a.legs >= 0) s.push_back(fmt::format("{} has {}.", N, legs_phrase(a.legs)));
    static const char* closers[] = {"If you visit the {} one day, you can watch it and learn a lot.",
                                    "You can learn a lot by watching the {} for a while.",
                                    "The {} is a very interesting animal to learn about.",
                                    "It is fun to draw a picture of the {} and show it to your friends."};
    s.push_back(fmt::format(fmt::runtime(pick(rng, closers)), a.name));
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (i > 0 && i + 1 < s.size() && rng.below(5) == 0) continue; // drop some middle facts
        if (!out.empty()) out += ' ';
        out += s[i];
    }
    return out;
}

enum class Topic { colors, sums, days, seasons, opposites };
constexpr Topic kAllTopics[] = {Topic::colors, Topic::sums, Topic::days, Topic::seasons, Topic::opposites};

// A paragraph about one topic of the world.
inline std::string topic_paragraph(lmk::Rng& rng, Topic topic) {
    std::string out;
    auto add = [&](const std::string& s) {
        if (!out.empty()) out += ' ';
        out += s;
    };
    switch (topic) {
    case Topic::colors: {
        add(pick(rng, std::vector<std::string>{"There are many colors in the world around us.",
                                                "Colors are all around us when we look outside.",
                                                "Let us learn about the colors of the things we see every day."}));
        int n = 4 + int(rng.below(4));
        for (int i = 0; i < n; i++) {
            auto [thing, color] = pick(rng, colors());
            std::string like; // another thing of the same color, for a longer sentence
            for (int k = 0; k < 8 && like.empty(); k++) {
                auto [t2, c2] = pick(rng, colors());
                if (std::string_view(c2) == color && std::string_view(t2) != thing) like = t2;
            }
            if (!like.empty() && rng.below(2)) add(capitalize(fmt::format("{} is {}, just like {}.", thing, color, like)));
            else add(capitalize(fmt::format("{} is {}.", thing, color)));
        }
        add("Which color do you like best, and what things have that color?");
        break;
    }
    case Topic::sums: {
        add(pick(rng, std::vector<std::string>{"Let us learn to add small numbers together.",
                                                "Adding numbers is easy and fun when you use your fingers.",
                                                "Here are some small sums to learn with apples and toys."}));
        int n = 3 + int(rng.below(3));
        static const char* things[] = {"apples", "toys", "stones", "books", "flowers", "cookies", "balls", "shells"};
        for (int i = 0; i < n; i++) {
            int a = 1 + int(rng.below(9)), b = 1 + int(rng.below(9));
            const char* t = pick(rng, things);
            static const char* stories[] = {"If you have {0} {3} and you get {1} more, then you have {2} {3}.",
                                            "Put {0} {3} in a box and add {1} more, and the box holds {2} {3}.",
                                            "When a child finds {0} {3} and a friend brings {1} more, they have {2} {3} together.",
                                            "Count {0} {3} on the table, then {1} more, and you will count {2} {3} in all."};
            add(fmt::format(fmt::runtime(pick(rng, stories)), number_word(a), number_word(b), number_word(a + b), t));
            add(fmt::format("{} plus {} is {}.", capitalize(number_word(a)), number_word(b), number_word(a + b)));
        }
        add("You can count them on your fingers to check the answer.");
        break;
    }
    case Topic::days: {
        add("There are seven days in a week.");
        add("The days are Monday, Tuesday, Wednesday, Thursday, Friday, Saturday and Sunday.");
        size_t d = rng.below(7);
        for (int i = 0; i < 3; i++, d = (d + 1) % 7) add(fmt::format("After {} comes {}.", days()[d], days()[(d + 1) % 7]));
        add("Saturday and Sunday are the weekend.");
        break;
    }
    case Topic::seasons: {
        add("There are four seasons in a year.");
        for (const auto& [s, like] : seasons()) add(fmt::format("In {}, {}.", s, like));
        add(pick(rng, std::vector<std::string>{"Which season do you like best?", "Every season is special.",
                                                "The seasons come again every year."}));
        break;
    }
    case Topic::opposites: {
        add(pick(rng, std::vector<std::string>{"Some words have opposites that mean something very different.",
                                                "Let us learn about opposite words and how we use them.",
                                                "An opposite is a word that means the other side of another word."}));
        int n = 4 + int(rng.below(3));
        for (int i = 0; i < n; i++) {
            auto [w, o] = pick(rng, opposites());
            add(fmt::format("The opposite of {} is {}.", w, o));
        }
        add("Can you think of more words that have an opposite?");
        break;
    }
    }
    return out;
}

// ---- stories -------------------------------------------------------------------------------

struct StoryWords {
    std::string name, animal, pro, pos, name2, animal2, place, obj, act, act2, emo, adj, weather, time, season;
};

inline const std::vector<const char*>& boy_names() {
    static const std::vector<const char*> v = {"Tim", "Max", "Sam", "Ben", "Tom", "Leo", "Jack", "Finn",
                                               "Kai", "Oscar", "Hugo", "Milo", "Noah", "Jake", "Otto", "Pip"};
    return v;
}
inline const std::vector<const char*>& girl_names() {
    static const std::vector<const char*> v = {"Lily", "Mia", "Anna", "Zoe", "Lucy", "Ella", "Rosa", "Nora",
                                               "Ruby", "Sara", "Emma", "Luna", "Ivy", "Mila", "Daisy", "Molly"};
    return v;
}

// Draws the cast and setting of a story; `animal`/`name` may be fixed by the caller.
inline StoryWords story_words(lmk::Rng& rng, std::string animal = {}, std::string name = {}) {
    static const char* places[] = {"river", "forest", "farm", "hill", "lake", "garden", "meadow", "village",
                                   "park", "beach", "mountain", "pond", "big tree", "old mill", "sea", "field"};
    static const char* objects[] = {"red ball", "shiny stone", "big box", "old key", "little boat", "blue kite",
                                    "small drum", "yellow hat", "round apple", "soft blanket", "wooden toy",
                                    "golden coin", "paper map", "green bottle", "tiny bell", "pink flower",
                                    "long rope", "white feather", "silver spoon", "warm scarf", "orange shell"};
    static const char* acts[] = {"play in the sun", "run in the grass", "sing songs", "look at the stars",
                                 "build little houses of sticks", "swim in the water", "read books", "pick flowers",
                                 "jump over rocks", "climb trees", "draw pictures", "dance in the rain", "fly a kite",
                                 "dig in the sand", "count the clouds", "splash in puddles", "bake cookies",
                                 "play hide and seek", "collect leaves", "watch the birds", "ride a bike",
                                 "help in the garden", "play with a ball", "listen to the wind"};
    static const char* emos[] = {"happy", "sad", "surprised", "scared", "excited", "proud", "curious", "tired",
                                 "worried", "glad"};
    static const char* adjs[] = {"small", "kind", "brave", "happy", "clever", "shy", "little", "young", "funny", "gentle"};
    static const char* weathers[] = {"sunny", "rainy", "windy", "snowy", "cold", "warm", "cloudy"};
    static const char* times[] = {"morning", "afternoon", "evening", "night"};
    static const char* seasons_[] = {"spring", "summer", "autumn", "winter"};
    StoryWords w;
    bool girl = rng.below(2);
    w.name = name.empty() ? pick(rng, girl ? girl_names() : boy_names()) : name;
    if (!name.empty()) girl = std::find(girl_names().begin(), girl_names().end(), name) != girl_names().end();
    w.pro = girl ? "she" : "he";
    w.pos = girl ? "her" : "his";
    w.animal = animal.empty() ? pick(rng, animals()).name : animal;
    do w.animal2 = pick(rng, animals()).name; while (w.animal2 == w.animal);
    bool girl2 = rng.below(2);
    do w.name2 = pick(rng, girl2 ? girl_names() : boy_names()); while (w.name2 == w.name);
    w.place = pick(rng, places);
    w.obj = pick(rng, objects);
    w.act = pick(rng, acts);
    do w.act2 = pick(rng, acts); while (w.act2 == w.act);
    w.emo = pick(rng, emos);
    w.adj = pick(rng, adjs);
    w.weather = pick(rng, weathers);
    w.time = pick(rng, times);
    w.season = pick(rng, seasons_);
    return w;
}

// Fills {key} slots of a template from w; the sentence's first letter is capitalised.
inline std::string fill(std::string_view tmpl, const StoryWords& w) {
    std::string out;
    for (size_t i = 0; i < tmpl.size(); i++) {
        if (tmpl[i] != '{') {
            out += tmpl[i];
            continue;
        }
        size_t end = tmpl.find('}', i);
        std::string_view key = tmpl.substr(i + 1, end - i - 1);
        i = end;
        if (key == "N") out += w.name;
        else if (key == "N2") out += w.name2;
        else if (key == "A") out += w.animal;
        else if (key == "A2") out += w.animal2;
        else if (key == "aA") out += with_article(w.animal);
        else if (key == "aA2") out += with_article(w.animal2);
        else if (key == "pro") out += w.pro;
        else if (key == "pos") out += w.pos;
        else if (key == "P") out += w.place;
        else if (key == "obj") out += w.obj;
        else if (key == "aobj") out += with_article(w.obj);
        else if (key == "act") out += w.act;
        else if (key == "act2") out += w.act2;
        else if (key == "emo") out += w.emo;
        else if (key == "adj") out += w.adj;
        else if (key == "aadj") out += with_article(w.adj);
        else if (key == "weather") out += w.weather;
        else if (key == "time") out += w.time;
        else if (key == "season") out += w.season;
        else lmk::fail("demo_world: unknown template key {{{}}}", key);
    }
    return capitalize(out);
}

struct StoryTemplates {
    std::vector<const char*> openings, habits, events, reactions, problems, resolutions, endings;
};

inline const StoryTemplates& story_templates() {
    static const StoryTemplates t = {
        {"Once upon a time, a little {A} named {N} lived near the {P}.",
         "Once upon a time, there was {aadj} {A} called {N}.",
         "Long ago, near a quiet {P}, there lived {aA} named {N}.",
         "{N} was a young {A} who lived by the {P}.",
         "There was once {aadj} {A}, and {pos} name was {N}.",
         "In a small house near the {P}, there lived {aadj} {A} named {N}.",
         "Once there was {aA} named {N} who loved the {P}.",
         "One {season} morning, a little {A} named {N} woke up early.",
         "{N} the {A} lived with {pos} family near the {P}."},
        {"Every day, {N} liked to {act}.",
         "{pro} loved to {act} with {pos} friends.",
         "Each morning, {N} would {act} near the {P}.",
         "{N} liked to {act} and {act2}.",
         "{N}'s favorite thing was to {act}.",
         "All day long, {N} wanted to {act}.",
         "{pro} was always kind and liked to help others.",
         "{pro} lived with {pos} mother and {pos} little brother.",
         "In the {season}, {N} liked to {act} every day."},
        {"One day, {N} found {aobj} near the {P}.",
         "One day, {N} saw {aobj} under a big tree.",
         "One {time}, {N} met {aA2} named {N2}.",
         "One day, the weather was {weather}, and {N} could not {act}.",
         "One day, {N} lost {pos} {obj}.",
         "One {time}, {N} heard a strange sound near the {P}.",
         "One day, {N} wanted to {act2}, but {pro} did not know how.",
         "One afternoon, {N} went to the {P} to {act}.",
         "One {season} day, a big wind came to the {P}."},
        {"{N} was very {emo}.",
         "{N} asked {pos} mother what it could be.",
         "\"Hello, I am {N2},\" said the {A2}. \"Can I play with you?\"",
         "{N} wanted to show it to everyone near the {P}.",
         "{N} felt {emo} and did not know what to do.",
         "\"Do not be {emo},\" said {N2} the {A2}. \"I will help you.\"",
         "{N} smiled and said, \"Let us {act2} together!\"",
         "{N} looked around and saw {aA2} named {N2}.",
         "{N} ran to tell {pos} friend {N2} the {A2}."},
        {"But then, the {obj} fell into the water.",
         "But the {obj} was too heavy to carry.",
         "Suddenly, it began to rain.",
         "But the path was long, and {N} was tired.",
         "Then the wind blew the {obj} up into a tree.",
         "But {N} could not find the way home.",
         "But the {P} was very dark and quiet."},
        {"{N2} the {A2} came to help.",
         "They worked together, and soon the problem was gone.",
         "{N} and {N2} pulled and pulled, and at last they did it.",
         "{N2} showed {N} the way home.",
         "{N} tried again and again, and in the end {pro} did it.",
         "{N} shared the {obj} with {N2}.",
         "They laughed and played until the sun went down.",
         "{N} said, \"Thank you, {N2}. You are a good friend.\"",
         "The two friends went to {act2} together."},
        {"From that day on, {N} and {N2} were best friends.",
         "{N} went home and slept well that night.",
         "{N} was very happy.",
         "The next day, {N} came back to {act} again.",
         "{N} learned that it is good to help others.",
         "{N} learned that sharing makes everyone happy.",
         "And they all lived happily ever after.",
         "{N} smiled, because it had been a wonderful day."},
    };
    return t;
}

// A story of ~8-12 sentences in 2-3 paragraphs ('\n' between them).
inline std::string story(lmk::Rng& rng, const StoryWords& w) {
    const StoryTemplates& t = story_templates();
    std::vector<std::vector<std::string>> paras(3);
    auto say = [&](int para, const std::vector<const char*>& pool) { paras[size_t(para)].push_back(fill(pick(rng, pool), w)); };
    say(0, t.openings);
    say(0, t.habits);
    if (rng.below(2)) say(0, t.habits);
    say(1, t.events);
    say(1, t.reactions);
    if (rng.below(2)) say(1, t.reactions);
    if (rng.below(10) < 7) say(1, t.problems);
    // The friend is introduced before the resolution names them.
    bool friend_met = false;
    for (int i = 0; i < 2; i++)
        for (const std::string& s : paras[size_t(i)]) friend_met |= s.find(w.name2) != std::string::npos;
    if (!friend_met) paras[2].push_back(fill("{N2} the {A2} came to help.", w));
    else say(2, t.resolutions);
    if (rng.below(2)) say(2, t.resolutions);
    say(2, t.endings);
    if (rng.below(3) == 0) say(2, t.endings);
    std::string out;
    bool one_paragraph = rng.below(4) == 0;
    for (const auto& p : paras) {
        for (size_t i = 0; i < p.size(); i++) {
            // Repeated sentences (the same template drawn twice) are dropped.
            if (out.find(p[i]) != std::string::npos) continue;
            if (!out.empty()) out += (i == 0 && !one_paragraph) ? '\n' : ' ';
            out += p[i];
        }
    }
    return out;
}

inline std::string story(lmk::Rng& rng) { return story(rng, story_words(rng)); }

// A title for a story page ("The Fox and the Red Ball").
inline std::string story_title(lmk::Rng& rng, const StoryWords& w) {
    auto title_case = [](std::string s) {
        for (size_t i = 0; i < s.size(); i++)
            if ((i == 0 || s[i - 1] == ' ') && s[i] >= 'a' && s[i] <= 'z') s[i] = char(s[i] - 'a' + 'A');
        return s;
    };
    switch (rng.below(3)) {
    case 0: return title_case(fmt::format("the {} and the {}", w.animal, w.obj));
    case 1: return fmt::format("{} the {}", w.name, title_case(w.animal));
    default: return title_case(fmt::format("a {} day at the {}", w.weather, w.place));
    }
}

} // namespace demo
