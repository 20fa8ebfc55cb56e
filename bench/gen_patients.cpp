// stork-gen-patients: fills an empty database with COUNT realistic patients
// for the search benchmark (bench/patient-search).
//
//   stork-gen-patients --db sqlite:var/bench/patients-1m.db --key-file var/bench/patients-1m.key
//                      --count 1000000 --sample var/bench/patients-1m.sample
//
// The patients of a maternity and children's hospital: mothers (20 to 45)
// with 0 to 3 children who share her phone and are linked to her as
// guardian, a few newborns still without a document (temporary identity).
// Names are Chinese, resident identity numbers are valid (GB 11643 check
// character) and unique, phones are mainland mobiles, unique per family.
//
// Rows are written as PatientService's insert writes them (kInsertPatient,
// then kSetCardNo; the same encryption and blind indexes, name_key, card
// number) but in batches of many rows per write transaction and without an
// audit entry per row: the registration rules and the duplicate checks are
// skipped, the stored shape is the same. Deterministic: the same --seed and
// --count give the same people (ciphertexts differ: fresh nonces).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "app/app.hpp"
#include "app/open_database.hpp"
#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"
#include "patients/identity.hpp"
#include "patients/repo.hpp"
#include "store/migrations.hpp"

namespace stork::bench {
namespace {

using patients::Sex;

constexpr std::string_view kIdColumn = "patients.id_number";
constexpr std::string_view kPhoneColumn = "patients.phone";

constexpr const char* kUsage =
    R"(Usage: stork-gen-patients --db URL --key-file FILE --count N [flags]

Migrates the database, creates the demo staff accounts (clerk / demo1234!, one
per role), then inserts N generated patients. The database must hold no
patients yet.

  --db URL          sqlite:PATH or postgresql://...
  --key-file FILE   field-encryption key, created if missing; serve with the same one
  --count N         patients to insert
  --sample FILE     also write random existing search values, one per line:
                    "card <card_no>" and "phone <phone>"
  --sample-size N   values of each kind in the sample (default 20000)
  --batch N         rows per write transaction (default 100000)
  --seed N          random seed (default 20261127)
)";

struct Options {
  std::string db, key_file, sample;
  int64_t count = -1;
  int64_t sample_size = 20'000;
  int64_t batch = 100'000;
  uint64_t seed = 20261127;
};

// Surnames by rough frequency (the first ones are the most common).
constexpr std::array kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐",   "孙",  "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",   "韩",  "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余",   "杜",  "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭",   "陆",  "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊",   "秦",  "邱", "江", "尹",
    "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾",   "毛",  "郝", "龚", "邵",
    "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "司马"};
// Given names are one or two characters drawn from these.
constexpr std::array kWomenChars = {"丽", "芳", "娜", "敏", "静", "婷", "雪", "慧", "颖", "琳",
                                    "倩", "洁", "玲", "燕", "霞", "晶", "红", "艳", "萍", "梅",
                                    "兰", "英", "华", "秀", "娟", "凤", "佳", "雅", "欣", "悦",
                                    "琴", "晓", "春", "海", "桂", "梦", "雨", "思", "蕾", "薇",
                                    "瑶", "怡", "露", "莉", "丹", "月", "菲", "妍", "莹", "璐"};
constexpr std::array kGirlsChars = {"梓", "涵", "欣", "怡", "诗", "雨", "桐", "可", "语",
                                    "嫣", "思", "彤", "一", "诺", "若", "汐", "沐", "晨",
                                    "芷", "安", "琪", "悦", "朵", "婉", "清", "子", "墨",
                                    "依", "可", "馨", "紫", "萱", "佳", "琪", "心", "妍"};
constexpr std::array kBoysChars = {"子", "轩", "浩", "然", "宇", "航", "俊", "杰", "梓",
                                   "豪", "一", "鸣", "皓", "博", "文", "睿", "泽", "天",
                                   "佑", "明", "嘉", "懿", "铭", "奕", "辰", "乐", "宸",
                                   "煜", "昊", "霖", "逸", "骏", "铭", "瑞", "阳", "诚"};
// Districts and counties (GB/T 2260), weighted to the hospital's city:
// Chengdu first, then Sichuan, then the rest of the country.
constexpr std::array kChengdu = {"510104", "510105", "510106", "510107", "510108",
                                 "510112", "510113", "510114", "510115", "510116",
                                 "510117", "510121", "510129", "510131", "510181",
                                 "510182", "510183", "510184", "510185"};
constexpr std::array kSichuan = {"510302", "510402", "510502", "510603", "510704",
                                 "510802", "510903", "511002", "511102", "511302",
                                 "511402", "511502", "511602", "511702", "511802",
                                 "511902", "512002", "513201", "513301", "513401"};
constexpr std::array kElsewhere = {
    "110101", "110105", "120101", "130102", "140105", "210102", "220102", "230102", "310101",
    "310115", "320102", "330106", "340102", "350102", "360102", "370102", "410102", "420102",
    "430102", "440103", "440305", "450102", "460105", "500103", "500112", "520102", "530102",
    "540102", "610102", "620102", "630102", "640104", "650102"};
constexpr std::array kDistricts = {"锦江区",   "青羊区",   "金牛区",  "武侯区", "成华区",
                                   "龙泉驿区", "青白江区", "新都区",  "温江区", "双流区",
                                   "郫都区",   "高新区",   "天府新区"};
constexpr std::array kStreets = {"人民南路",     "科华北路", "玉林路",   "红星路",  "蜀都大道",
                                 "天府大道",     "光华大道", "双林路",   "建设路",  "一环路南三段",
                                 "二环路西一段", "府青路",   "草市街",   "抚琴路",  "营门口路",
                                 "桐梓林路",     "锦城大道", "剑南大道", "益州大道"};
constexpr std::array kCompounds = {"锦绣", "翡翠", "阳光", "金沙", "华润",
                                   "望江", "紫荆", "蓝天", "芙蓉", "天府"};
constexpr std::array kCommunities = {"花园", "小区", "苑", "公寓", "新村", "家园", "府", "城"};
constexpr std::array kAllergies = {"青霉素", "头孢类", "磺胺类", "海鲜", "花粉",
                                   "乳胶",   "鸡蛋",   "牛奶",   "花生"};
constexpr std::array kMinorities = {"藏族",   "彝族", "羌族", "回族",
                                    "土家族", "苗族", "满族", "蒙古族"};
// Mainland mobile prefixes of the three carriers.
constexpr std::array kPhonePrefixes = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "170", "173", "176", "177", "178", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"};

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t days_from_civil(CivilDate d) {
  const int y = d.year - (d.month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t z) { return local_date(z * 86'400'000, 0); }

std::string name_key(std::string_view name) {
  std::string key(name);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return key;
}

struct Person {
  std::string name;
  Sex sex = Sex::female;
  CivilDate birth;
  std::string birth_time;  // newborns only
  std::string id_number;   // empty: temporary identity
  std::string phone;
  std::string address, ethnicity, allergies;
};

// Draws people; owns the random state and the uniqueness sets.
class People {
 public:
  People(uint64_t seed, CivilDate today)
      : rng_(seed), today_(today), today_days_(days_from_civil(today)) {}

  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double percent) {
    return std::uniform_real_distribution<double>(0, 100)(rng_) < percent;
  }
  template <size_t N>
  const char* pick(const std::array<const char*, N>& a) {
    return a[std::uniform_int_distribution<size_t>(0, N - 1)(rng_)];
  }
  // Skewed towards the front of the list, for surnames.
  template <size_t N>
  const char* pick_skewed(const std::array<const char*, N>& a) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return a[std::min(N - 1, static_cast<size_t>(u * u * N))];
  }

  // A uniformly drawn birth date with an age in [min_years, max_years].
  CivilDate born_aged(int min_years, int max_years) {
    const CivilDate latest{today_.year - min_years, today_.month, today_.day};
    const CivilDate earliest{today_.year - max_years - 1, today_.month, today_.day};
    auto clamp_day = [](CivilDate d) {
      while (!is_real_date(d.year, d.month, d.day)) --d.day;  // 29 February
      return d;
    };
    const int64_t hi = days_from_civil(clamp_day(latest));
    const int64_t lo = days_from_civil(clamp_day(earliest)) + 1;
    return civil_from_days(std::uniform_int_distribution<int64_t>(lo, hi)(rng_));
  }
  CivilDate born_days_ago(int min_days, int max_days) {
    return civil_from_days(today_days_ - between(min_days, max_days));
  }

  std::string region() {
    const double u = std::uniform_real_distribution<double>(0, 100)(rng_);
    return u < 60 ? pick(kChengdu) : u < 85 ? pick(kSichuan) : pick(kElsewhere);
  }

  // Unique over the run: the 17-digit body is remembered as a number.
  std::string resident_id(CivilDate born, Sex sex, const std::string& region) {
    char digits[32];
    for (;;) {
      // The sequence number's last digit is odd for men, even for women.
      const int seq = between(0, 99) * 10 + between(0, 4) * 2 + (sex == Sex::male ? 1 : 0);
      std::snprintf(digits, sizeof digits, "%s%04d%02d%02d%03d", region.c_str(), born.year,
                    born.month, born.day, seq);
      if (ids_.insert(std::strtoull(digits, nullptr, 10)).second) break;
    }
    std::string id(digits);
    id.push_back(patients::resident_id_check_char(id));
    return id;
  }

  std::string phone() {
    char tail[16];
    for (;;) {
      const char* prefix = pick(kPhonePrefixes);
      const int rest = between(0, 99'999'999);
      if (!phones_.insert(std::strtoull(prefix, nullptr, 10) * 100'000'000ULL + rest).second)
        continue;
      std::snprintf(tail, sizeof tail, "%08d", rest);
      return std::string(prefix) + tail;
    }
  }

  std::string given(bool woman, bool girl) {
    auto one = [&] {
      return std::string(woman ? pick(kWomenChars) : girl ? pick(kGirlsChars) : pick(kBoysChars));
    };
    std::string name = one();
    if (!chance(woman ? 35 : 20)) name += one();
    return name;
  }

  std::string address() {
    std::string a = "四川省成都市";
    a += pick(kDistricts);
    a += pick(kStreets);
    a += std::to_string(between(1, 999)) + "号";
    if (chance(60)) {  // a residential compound: building and flat
      a += pick(kCompounds);
      a += pick(kCommunities);
      a += std::to_string(between(1, 30)) + "栋";
      const int floor = between(1, 32);
      a += std::to_string(floor * 100 + between(1, 8)) + "室";
    }
    return a;
  }

  std::string ethnicity() { return chance(93) ? "汉族" : pick(kMinorities); }
  std::string allergies() { return chance(8) ? pick(kAllergies) : ""; }

  // A mother and her children; the children share her phone and address.
  std::vector<Person> family() {
    std::vector<Person> out;
    Person mother;
    const std::string mother_surname = pick_skewed(kSurnames);
    mother.name = mother_surname + given(true, false);
    mother.sex = Sex::female;
    mother.birth = born_aged(20, 45);
    mother.id_number = resident_id(mother.birth, Sex::female, region());
    mother.phone = phone();
    mother.address = address();
    mother.ethnicity = ethnicity();
    mother.allergies = allergies();
    const int age = age_in_years(mother.birth, today_);
    const double u = std::uniform_real_distribution<double>(0, 100)(rng_);
    const int children = u < 35 ? 0 : u < 75 ? 1 : u < 95 ? 2 : 3;
    // Most children carry the father's surname.
    const std::string surname = chance(80) ? pick_skewed(kSurnames) : mother_surname;
    out.push_back(mother);
    for (int k = 0; k < children && age >= 19; ++k) {
      Person child;
      const bool girl = chance(48.5);
      child.sex = girl ? Sex::female : Sex::male;
      child.phone = mother.phone;
      child.address = mother.address;
      child.ethnicity = mother.ethnicity;
      child.allergies = allergies();
      if (chance(3)) {
        // A newborn registered before her name and document: "张丽之女".
        child.birth = born_days_ago(0, 60);
        char time[8];
        std::snprintf(time, sizeof time, "%02d:%02d", between(0, 23), between(0, 59));
        child.birth_time = time;
        child.name = mother.name + (girl ? "之女" : "之子");
      } else {
        child.birth = born_aged(0, std::min(17, age - 19));
        child.name = surname + given(false, girl);
        child.id_number = resident_id(child.birth, child.sex, region());
      }
      out.push_back(std::move(child));
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
  CivilDate today_;
  int64_t today_days_;
  std::unordered_set<uint64_t> ids_;
  std::unordered_set<uint64_t> phones_;
};

// Keeps a uniform random sample of a stream (Algorithm R).
class Reservoir {
 public:
  Reservoir(size_t size, uint64_t seed) : size_(size), rng_(seed) {}
  void offer(const std::string& value) {
    ++seen_;
    if (items_.size() < size_) {
      items_.push_back(value);
    } else if (auto j = std::uniform_int_distribution<uint64_t>(0, seen_ - 1)(rng_); j < size_) {
      items_[j] = value;
    }
  }
  std::vector<std::string>& items() { return items_; }

 private:
  size_t size_;
  uint64_t seen_ = 0;
  std::mt19937_64 rng_;
  std::vector<std::string> items_;
};

bool parse_int(const std::string& text, int64_t& out) {
  char* end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0';
}

int usage(const char* why) {
  std::fprintf(stderr, "stork-gen-patients: %s\n\n%s", why, kUsage);
  return 2;
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value for " + flag).c_str());
    const std::string value = argv[++i];
    int64_t n = 0;
    if (flag == "--db")
      o.db = value;
    else if (flag == "--key-file")
      o.key_file = value;
    else if (flag == "--sample")
      o.sample = value;
    else if (flag == "--count" && parse_int(value, n) && n >= 0)
      o.count = n;
    else if (flag == "--sample-size" && parse_int(value, n) && n >= 0)
      o.sample_size = n;
    else if (flag == "--batch" && parse_int(value, n) && n > 0)
      o.batch = n;
    else if (flag == "--seed" && parse_int(value, n))
      o.seed = static_cast<uint64_t>(n);
    else
      return usage(("bad flag or value: " + flag + " " + value).c_str());
  }
  if (o.db.empty() || o.key_file.empty() || o.count < 0)
    return usage("--db, --key-file and --count are required");

  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  SystemClock clock;
  auto db = app::open_database(o.db, 1);
  if (!db) return usage(db.error().message.c_str());
  const auto migrations = app::all_migrations();
  if (auto m = store::migrate(**db, migrations, clock); !m) {
    std::fprintf(stderr, "stork-gen-patients: migrate: %s\n", m.error().message.c_str());
    return 1;
  }
  Config config;
  config.db = o.db;
  config.key_file = o.key_file;
  auto services = app::make_services(**db, clock, config);
  if (!services) {
    std::fprintf(stderr, "stork-gen-patients: %s\n", services.error().message.c_str());
    return 1;
  }
  if (auto seeded = app::seed_demo(**services, {.families = 0}); !seeded) {
    std::fprintf(stderr, "stork-gen-patients: seed-demo: %s\n", seeded.error().message.c_str());
    return 1;
  }
  auto existing = (*services)->patients.count();
  if (!existing) {
    std::fprintf(stderr, "stork-gen-patients: %s\n", existing.error().message.c_str());
    return 1;
  }
  if (*existing > 0) {
    std::fprintf(
        stderr, "stork-gen-patients: the database already holds %lld patients; give an empty one\n",
        static_cast<long long>(*existing));
    return 1;
  }
  const crypto::FieldCipher& cipher = (*services)->cipher;
  if ((*db)->backend() == store::Backend::sqlite) {
    // The random blind indexes outgrow SQLite's default 2 MB page cache
    // early; every batch would then spill and rewrite most index pages.
    // A bigger cache on this connection only; the file is the same.
    auto s = (*db)->write(
        [](store::Connection& c) { return c.execute_script("PRAGMA cache_size = -1048576"); });
    if (!s) {
      std::fprintf(stderr, "stork-gen-patients: %s\n", s.error().message.c_str());
      return 1;
    }
  }

  const int64_t now_ms = clock.now_ms();
  const CivilDate today = local_date(now_ms, 8 * 60);
  People people(o.seed, today);
  Reservoir cards(static_cast<size_t>(o.sample_size), o.seed + 1);
  Reservoir phones(static_cast<size_t>(o.sample_size), o.seed + 2);
  // Registration times spread over the last five years in id order, never
  // before the patient was born.
  constexpr int64_t kHistoryMs = int64_t{5} * 365 * 86'400'000;
  constexpr int64_t kDayMs = 86'400'000;

  std::printf("generating %lld patients into %s, %lld rows per transaction, seed %llu\n",
              static_cast<long long>(o.count),
              o.db.starts_with("postgres") ? "postgresql" : o.db.c_str(),
              static_cast<long long>(o.batch), static_cast<unsigned long long>(o.seed));
  std::fflush(stdout);

  int64_t written = 0, families = 0;
  while (written < o.count) {
    // Generate a batch first (whole families, cut at --count), then write it.
    std::vector<std::vector<Person>> batch;
    int64_t rows = 0;
    while (rows < o.batch && written + rows < o.count) {
      auto f = people.family();
      if (static_cast<int64_t>(f.size()) > o.count - written - rows)
        f.resize(o.count - written - rows);
      rows += static_cast<int64_t>(f.size());
      batch.push_back(std::move(f));
    }
    const auto batch_started = std::chrono::steady_clock::now();
    auto s = (*db)->write([&](store::Connection& c) -> Status {
      int64_t n = written;
      for (const auto& family : batch) {
        int64_t mother_id = 0;
        for (size_t k = 0; k < family.size(); ++k) {
          const Person& p = family[k];
          const int64_t born_ms = days_from_civil(p.birth) * kDayMs - 8 * 3'600'000;
          const int64_t at =
              std::max(now_ms - kHistoryMs + kHistoryMs * n / std::max<int64_t>(o.count, 1),
                       std::min(now_ms, born_ms + kDayMs));
          const bool temporary = p.id_number.empty();
          const std::string id_index = temporary ? "" : cipher.blind_index(p.id_number, kIdColumn);
          auto inserted = c.query(
              patients::sql::kInsertPatient,
              {p.name, name_key(p.name), std::string(patients::sex_name(p.sex)),
               format_date(p.birth), p.birth_time,
               temporary ? store::Value()
                         : store::Value(
                               std::string(patients::id_type_name(patients::IdType::resident_id))),
               temporary ? store::Value() : store::Value(cipher.encrypt(p.id_number, kIdColumn)),
               temporary ? store::Value() : store::Value(id_index),
               cipher.encrypt(p.phone, kPhoneColumn), cipher.blind_index(p.phone, kPhoneColumn),
               int64_t{0}, p.address, p.ethnicity, p.allergies, int64_t{temporary}, at});
          if (!inserted) return fail(inserted.error());
          const int64_t id = (*inserted)[0].integer(0);
          const std::string card = patients::card_number_for(id);
          if (auto r = c.execute(patients::sql::kSetCardNo, {id, card}); !r) return fail(r.error());
          if (k == 0) {
            mother_id = id;
            phones.offer(p.phone);
          } else if (auto r = c.execute(patients::sql::kInsertGuardian,
                                        {mother_id, id, std::string("mother"), at});
                     !r) {
            return fail(r.error());
          }
          cards.offer(card);
          ++n;
        }
      }
      return {};
    });
    if (!s) {
      std::fprintf(stderr, "stork-gen-patients: after %lld rows: %s\n",
                   static_cast<long long>(written), s.error().message.c_str());
      return 1;
    }
    written += rows;
    families += static_cast<int64_t>(batch.size());
    const double total = seconds_since(started);
    std::printf("%9lld / %lld rows  %8.0f rows/s this batch  %8.0f rows/s overall  %6.1f s\n",
                static_cast<long long>(written), static_cast<long long>(o.count),
                static_cast<double>(rows) / seconds_since(batch_started),
                static_cast<double>(written) / total, total);
    std::fflush(stdout);
  }

  if (!o.sample.empty()) {
    // Shuffled, so any prefix of the file is a random sample too.
    std::mt19937_64 shuffle_rng(o.seed + 3);
    std::shuffle(cards.items().begin(), cards.items().end(), shuffle_rng);
    std::shuffle(phones.items().begin(), phones.items().end(), shuffle_rng);
    std::ofstream out(o.sample, std::ios::trunc);
    for (const auto& v : cards.items()) out << "card " << v << '\n';
    for (const auto& v : phones.items()) out << "phone " << v << '\n';
    out.close();
    if (!out) {
      std::fprintf(stderr, "stork-gen-patients: cannot write %s\n", o.sample.c_str());
      return 1;
    }
    std::printf("sample: %zu card numbers and %zu phones in %s\n", cards.items().size(),
                phones.items().size(), o.sample.c_str());
  }
  std::printf("done: %lld patients in %lld families in %.1f s (%.0f rows/s)\n",
              static_cast<long long>(written), static_cast<long long>(families),
              seconds_since(started),
              static_cast<double>(written) / std::max(seconds_since(started), 1e-9));
  return 0;
}

}  // namespace
}  // namespace stork::bench

int main(int argc, char** argv) {
  try {
    return stork::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stork-gen-patients: fatal: %s\n", e.what());
    return 1;
  }
}
