// Demo patients: mothers with their children and newborns, registered
// through the same service paths the window uses. Deterministic (fixed
// seed) so screenshots and the demo stay the same.
#include <array>
#include <random>

#include "app/seed_demo.hpp"
#include "core/civil_date.hpp"

namespace stork::app {
namespace {

constexpr std::array kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
                                  "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
                                  "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡",
                                  "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "欧阳"};
constexpr std::array kWomen = {"丽",   "芳",   "娜",   "敏",   "静",   "婷",   "雪",   "慧",   "颖",
                               "琳",   "倩",   "洁",   "玲",   "燕",   "霞",   "晶",   "小红", "晓燕",
                               "雅琴", "春梅", "海燕", "丽华", "秀英", "桂芳", "佳慧", "梦瑶", "雨婷"};
constexpr std::array kGirls = {"梓涵", "欣怡", "诗涵", "雨桐", "可欣", "语嫣", "思彤", "一诺", "若汐",
                               "沐晨", "芷若", "安琪", "悦悦", "朵朵", "婉清", "子墨"};
constexpr std::array kBoys = {"子轩", "浩然", "宇航", "俊杰", "梓豪", "一鸣", "皓轩", "博文",
                              "睿泽", "天佑", "明轩", "嘉懿", "铭泽", "奕辰", "乐乐", "豆豆"};
// Districts of Chengdu and a few neighbouring regions (GB/T 2260).
constexpr std::array kRegions = {"510104", "510105", "510106", "510107", "510108", "510112",
                                 "510116", "510124", "511002", "511102", "500103", "530102"};
constexpr std::array kStreets = {"人民南路", "科华北路", "玉林路", "红星路", "蜀都大道", "天府大道",
                                 "光华大道", "双林路", "建设路", "一环路南三段"};
constexpr std::array kDistricts = {"锦江区", "青羊区", "金牛区", "武侯区", "成华区", "高新区", "双流区"};
constexpr std::array kAllergies = {"青霉素", "头孢类", "海鲜", "花粉", "乳胶"};

class DemoPeople {
 public:
  DemoPeople(CivilDate today) : today_(today) {}

  template <size_t N>
  const char* pick(const std::array<const char*, N>& a) {
    return a[std::uniform_int_distribution<size_t>(0, N - 1)(rng_)];
  }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return between(1, 100) <= percent; }

  CivilDate birth_date_aged(int min_years, int max_years) {
    while (true) {
      CivilDate d{today_.year - between(min_years, max_years), between(1, 12), between(1, 28)};
      if (d <= today_ && age_in_years(d, today_) >= min_years) return d;
    }
  }

  std::string resident_id(CivilDate born, patients::Sex sex) {
    char digits[32];
    int seq = between(0, 99) * 10 + between(0, 4) * 2 + (sex == patients::Sex::male ? 1 : 0);
    std::snprintf(digits, sizeof digits, "%s%04d%02d%02d%03d", pick(kRegions), born.year, born.month, born.day, seq);
    std::string id(digits);
    id.push_back(patients::resident_id_check_char(id));
    return id;
  }

  std::string phone() {
    static constexpr std::array kPrefixes = {"135", "136", "138", "139", "150", "158", "159",
                                             "177", "180", "182", "186", "188", "189", "199"};
    char tail[16];
    std::snprintf(tail, sizeof tail, "%08d", between(0, 99'999'999));
    return std::string(pick(kPrefixes)) + tail;
  }

  std::string address() {
    return std::string("四川省成都市") + pick(kDistricts) + pick(kStreets) + std::to_string(between(1, 300)) + "号";
  }

 private:
  std::mt19937 rng_{20261127};
  CivilDate today_;
};

}  // namespace

Result<int> seed_demo_patients(Services& services, int families, const Clock& clock) {
  auto& svc = services.patients;
  const auth::Principal window{auth::PrincipalKind::staff, 0, "seed-demo", "seed-demo", {auth::Role::clerk}, ""};
  const auth::RequestContext ctx{"127.0.0.1", "seed-demo"};
  const CivilDate today = local_date(clock.now_ms(), 8 * 60);
  DemoPeople people(today);
  int created = 0;
  for (int f = 0; f < families; ++f) {
    patients::NewPatient mother;
    mother.name = std::string(people.pick(kSurnames)) + people.pick(kWomen);
    mother.sex = "female";
    const CivilDate born = people.birth_date_aged(22, 41);
    mother.birth_date = format_date(born);
    mother.id_number = people.resident_id(born, patients::Sex::female);
    mother.phone = f == 0 ? kDemoMotherPhone : people.phone();
    mother.address = people.address();
    mother.ethnicity = people.chance(92) ? "汉族" : people.chance(50) ? "藏族" : "彝族";
    mother.allergies = people.chance(12) ? people.pick(kAllergies) : "";
    mother.confirmed_not_duplicate = true;
    auto reg = svc.register_patient(window, mother, ctx);
    if (!reg && reg.error().code == "document_registered") continue;  // a rare random clash
    if (!reg) return fail(reg.error());
    const int64_t mother_id = reg->created->id;
    ++created;

    const int children = f == 0 ? 2 : people.between(0, 3);
    const std::string family_name = people.chance(75) ? people.pick(kSurnames) : std::string();
    for (int k = 0; k < children; ++k) {
      const bool girl = people.chance(50);
      const int max_age = std::min(14, age_in_years(born, today) - 18);
      const bool newborn = (f == 0 && k == 1) || people.chance(12);
      if (newborn) {
        CivilDate day = local_date(clock.now_ms() - int64_t{people.between(0, 20)} * 86'400'000, 8 * 60);
        char time[8];
        std::snprintf(time, sizeof time, "%02d:%02d", people.between(0, 23), people.between(0, 59));
        patients::NewNewborn baby{girl ? "female" : "male", format_date(day), time, "mother"};
        auto b = svc.register_newborn(window, mother_id, baby, ctx);
        if (!b) return fail(b.error());
        ++created;
        continue;
      }
      patients::NewPatient child;
      const CivilDate cborn = people.birth_date_aged(0, std::max(0, max_age));
      child.name = (family_name.empty() ? mother.name.substr(0, 3) : family_name) +
                   (girl ? people.pick(kGirls) : people.pick(kBoys));
      child.sex = girl ? "female" : "male";
      child.birth_date = format_date(cborn);
      child.id_number = people.resident_id(cborn, girl ? patients::Sex::female : patients::Sex::male);
      child.address = mother.address;
      child.ethnicity = mother.ethnicity;
      child.confirmed_not_duplicate = true;
      auto c = svc.add_child(window, mother_id, child, "mother", ctx);
      if (!c && c.error().code == "document_registered") continue;
      if (!c) return fail(c.error());
      ++created;
    }
  }
  return created;
}

}  // namespace stork::app
