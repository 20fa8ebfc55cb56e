#include "clinical/report_json.hpp"

#include <boost/json.hpp>

namespace stork::clinical {
namespace json = boost::json;

namespace {

std::string text_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Result<IncomingReport> report_from_json(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return fail(Error::invalid("body", "must be a JSON object"));
  json::object o = value.get_object();
  FieldErrors errors;
  IncomingReport in;
  in.source = "rest";
  auto kind = parse_kind(text_member(o, "kind"));
  if (!kind || !is_report(*kind)) errors.add("kind", "must be lab_report or exam_report");
  else in.kind = *kind;
  in.message_key = "rest|" + text_member(o, "message_id");
  if (text_member(o, "message_id").empty()) errors.add("message_id", "is required: it makes a retry harmless");
  const auto* patient = o.if_contains("patient");
  if (!patient || !patient->is_object()) {
    errors.add("patient", "give {card_no} or {id_number}");
  } else {
    in.card_no = text_member(patient->get_object(), "card_no");
    in.id_number = text_member(patient->get_object(), "id_number");
    if (in.card_no.empty() && in.id_number.empty()) errors.add("patient", "give card_no or id_number");
  }
  in.interpreter = text_member(o, "interpreter");
  if (auto s = errors.status(); !s) return fail(s.error());
  // Everything else is the report's content, checked by normalize_content.
  for (auto key : {"message_id", "kind", "patient", "interpreter"}) o.erase(key);
  in.content_json = json::serialize(o);
  return in;
}

Result<IncomingReport> report_from_oru(const interop::OruReport& oru) {
  IncomingReport in;
  in.source = "hl7";
  in.kind = DocumentKind::lab_report;
  in.message_key = "hl7|" + oru.sending_application + "|" + oru.sending_facility + "|" + oru.control_id;
  if (const auto* card = oru.patient.first(interop::IdentifierKind::card)) in.card_no = card->id;
  if (const auto* id = oru.patient.first(interop::IdentifierKind::resident_id)) in.id_number = id->id;

  // One document per message: the first order names the service.
  json::object content;
  const auto& first = oru.orders.front();
  content["service"] = {{"code", first.service.code}, {"text", first.service.text}};
  content["accession"] = first.filler_number;
  if (first.observed_ms) content["observed_at"] = *first.observed_ms;

  // Narrative observations only (TX, FT: an ultrasound's findings and
  // impression) make an examination report; anything else (measured values,
  // and ST for qualitative results such as "Negative") a lab report, whose
  // results are the observations of every order.
  bool text_only = true;
  for (const auto& order : oru.orders)
    for (const auto& obx : order.observations)
      text_only = text_only && (obx.value_type == "TX" || obx.value_type == "FT");
  if (text_only) {
    in.kind = DocumentKind::exam_report;
    std::string findings, impression;
    for (const auto& order : oru.orders)
      for (const auto& obx : order.observations) {
        const bool is_impression = obx.observation.code == "19005-8" ||
                                   obx.observation.text.find("mpression") != std::string::npos ||
                                   obx.observation.text.find("诊断") != std::string::npos ||
                                   obx.observation.text.find("提示") != std::string::npos;
        std::string& into = is_impression ? impression : findings;
        into += (into.empty() ? "" : "\n") + obx.value;
      }
    if (findings.empty()) findings = impression;
    content["findings"] = findings;
    if (!impression.empty()) content["impression"] = impression;
    in.content_json = json::serialize(content);
    return in;
  }
  json::array results;
  std::string conclusion;
  for (const auto& order : oru.orders) {
    for (const auto& note : order.notes) conclusion += (conclusion.empty() ? "" : "\n") + note;
    for (const auto& obx : order.observations) {
      json::object r{{"code", obx.observation.code}, {"name", obx.observation.text}, {"value", obx.value},
                     {"unit", obx.units},            {"reference_range", obx.reference_range},
                     {"abnormal", obx.abnormal},     {"status", obx.status}};
      if (obx.numeric) r["numeric"] = *obx.numeric;
      json::array flags, notes;
      for (const auto& f : obx.abnormal_flags) flags.emplace_back(f);
      for (const auto& n : obx.notes) notes.emplace_back(n);
      r["abnormal_flags"] = std::move(flags);
      if (!notes.empty()) r["notes"] = std::move(notes);
      results.emplace_back(std::move(r));
    }
  }
  content["results"] = std::move(results);
  if (!conclusion.empty()) content["conclusion"] = conclusion;
  in.content_json = json::serialize(content);
  return in;
}

}  // namespace stork::clinical
