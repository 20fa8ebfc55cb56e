#include "support/patient_data.hpp"

#include <atomic>
#include <cstdio>

#include "patients/identity.hpp"

namespace stork::testing {

std::string resident_id(const std::string& birth_date, bool female, int seq) {
  char buf[24];
  // Region 510107 (Chengdu, Wuhou); the 17th digit carries the sex.
  std::snprintf(buf, sizeof buf, "510107%s%02d%d", (birth_date.substr(0, 4) + birth_date.substr(5, 2) +
                                                     birth_date.substr(8, 2)).c_str(),
                seq % 100, female ? 2 : 1);
  std::string id(buf);
  id.push_back(patients::resident_id_check_char(id));
  return id;
}

std::string fresh_phone() {
  static std::atomic<int> next{10'000'000};
  char buf[16];
  std::snprintf(buf, sizeof buf, "139%08d", next++);
  return buf;
}

boost::json::object registration(const std::string& name, const std::string& birth_date, bool female, int seq,
                                 const std::string& phone) {
  return {{"name", name},
          {"sex", female ? "female" : "male"},
          {"birth_date", birth_date},
          {"id_type", "resident_id"},
          {"id_number", resident_id(birth_date, female, seq)},
          {"phone", phone.empty() ? fresh_phone() : phone},
          {"address", "四川省成都市武侯区人民南路四段20号"},
          {"ethnicity", "汉族"}};
}

}  // namespace stork::testing
