#include "http/routes/patient_json.hpp"

#include "core/clock.hpp"

namespace stork::http {

namespace json = boost::json;

json::object patient_json(const patients::PatientView& p) {
  if (p.merged_into)
    return {{"id", p.id}, {"status", "merged"}, {"merged_into", *p.merged_into}};
  json::object o{{"id", p.id},
                 {"status", "active"},
                 {"card_no", p.card_no},
                 {"name", p.name},
                 {"sex", std::string(patients::sex_name(p.sex))},
                 {"birth_date", p.birth_date},
                 {"age", p.age},
                 {"id_number", p.id_number},
                 {"phone", p.phone},
                 {"phone_foreign", p.phone_foreign},
                 {"revealed", p.revealed},
                 {"address", p.address},
                 {"ethnicity", p.ethnicity},
                 {"allergies", p.allergies},
                 {"temporary_identity", p.temporary_identity},
                 {"created_at", format_utc(p.created_at_ms)},
                 {"updated_at", format_utc(p.updated_at_ms)}};
  o["id_type"] = p.id_type ? json::value(std::string(patients::id_type_name(*p.id_type))) : json::value();
  o["birth_time"] = p.birth_time.empty() ? json::value() : json::value(p.birth_time);
  return o;
}

json::array patients_json(const std::vector<patients::PatientView>& list) {
  json::array out;
  for (const auto& p : list) out.push_back(patient_json(p));
  return out;
}

json::object family_json(const patients::Family& f) {
  auto members = [](const std::vector<patients::FamilyMember>& list) {
    json::array out;
    for (const auto& m : list) {
      auto o = patient_json(m.patient);
      o["relationship"] = m.relationship;
      out.push_back(std::move(o));
    }
    return out;
  };
  return {{"patient", patient_json(f.patient)}, {"children", members(f.children)}, {"guardians", members(f.guardians)}};
}

json::object card_json(const patients::CardView& c) {
  return {{"patient_id", c.patient_id},
          {"card_no", c.card_no},
          {"version", c.version},
          {"qr", c.qr},
          {"qr_expires_at", format_utc(c.qr_expires_at_ms)},
          {"svg", "/api/v1/patients/" + std::to_string(c.patient_id) + "/card.svg"},
          {"png", "/api/v1/patients/" + std::to_string(c.patient_id) + "/card.png"}};
}

}  // namespace stork::http
