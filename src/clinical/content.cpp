#include "clinical/content.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>

#include "clinical/canonical_json.hpp"

namespace stork::clinical {
namespace json = boost::json;

namespace {

constexpr size_t kMaxText = 4000;

// Characters, as people count them: UTF-8 bytes that start a character.
size_t characters(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char b : utf8) n += (b & 0xC0) != 0x80;
  return n;
}

// Collects every problem of one content object, so the editor can mark all
// bad fields at once.
class Checker {
 public:
  explicit Checker(const json::object& root) : root_(root) {}

  void refuse(const std::string& path, std::string message) {
    errors_.push_back({"content." + path, std::move(message)});
  }
  const std::vector<FieldError>& errors() const { return errors_; }

  // Refuses members not in `known`.
  void allow_members(const json::object& o, const std::string& prefix, std::initializer_list<std::string_view> known) {
    std::set<std::string_view> names(known);
    for (const auto& member : o)
      if (!names.contains(member.key())) refuse(prefix + std::string(member.key()), "unknown field");
  }

  void text(const json::object& o, const std::string& prefix, std::string_view key, bool required) {
    const json::value* v = o.if_contains(key);
    std::string path = prefix + std::string(key);
    if (!v || v->is_null()) {
      if (required) refuse(path, "is required");
      return;
    }
    if (!v->is_string()) return refuse(path, "must be text");
    const auto& s = v->get_string();
    if (required && s.empty()) return refuse(path, "is required");
    if (characters(s) > kMaxText) refuse(path, "is longer than 4000 characters");
  }

  std::optional<double> number(const json::object& o, const std::string& prefix, std::string_view key,
                               bool required) {
    const json::value* v = o.if_contains(key);
    std::string path = prefix + std::string(key);
    if (!v || v->is_null()) {
      if (required) refuse(path, "is required");
      return std::nullopt;
    }
    if (!v->is_number()) {
      refuse(path, "must be a number");
      return std::nullopt;
    }
    return v->to_number<double>();
  }

  void positive(const json::object& o, const std::string& prefix, std::string_view key, bool whole) {
    auto n = number(o, prefix, key, true);
    if (!n) return;
    std::string path = prefix + std::string(key);
    if (!(*n > 0)) refuse(path, "must be greater than zero");
    else if (whole && std::floor(*n) != *n) refuse(path, "must be a whole number");
  }

  void boolean(const json::object& o, const std::string& prefix, std::string_view key) {
    if (const json::value* v = o.if_contains(key); v && !v->is_null() && !v->is_bool())
      refuse(prefix + std::string(key), "must be true or false");
  }

  // Calls each(element, "key[i].") for an array member of objects.
  void array(const json::object& o, std::string_view key, size_t min, size_t max,
             const std::function<void(const json::object&, const std::string&)>& each) {
    const json::value* v = o.if_contains(key);
    std::string path(key);
    if (!v || v->is_null()) {
      if (min > 0) refuse(path, "is required");
      return;
    }
    if (!v->is_array()) return refuse(path, "must be a list");
    const auto& a = v->get_array();
    if (a.size() < min) return refuse(path, "needs at least " + std::to_string(min));
    if (a.size() > max) return refuse(path, "has more than " + std::to_string(max));
    for (size_t i = 0; i < a.size(); ++i) {
      std::string item = path + "[" + std::to_string(i) + "]";
      if (!a[i].is_object()) refuse(item, "must be an object");
      else each(a[i].get_object(), item + ".");
    }
  }

  void coded(const json::object& o, const std::string& prefix, std::string_view key, bool required) {
    const json::value* v = o.if_contains(key);
    std::string path = prefix + std::string(key);
    if (!v || v->is_null()) {
      if (required) refuse(path, "is required");
      return;
    }
    if (!v->is_object()) return refuse(path, "must be an object with code and text");
    allow_members(v->get_object(), path + ".", {"code", "text"});
    text(v->get_object(), path + ".", "code", true);
    text(v->get_object(), path + ".", "text", false);
  }

  const json::object& root() const { return root_; }

 private:
  const json::object& root_;
  std::vector<FieldError> errors_;
};

void check_record(Checker& c) {
  const auto& o = c.root();
  c.allow_members(o, "", {"complaint", "history", "examination", "diagnoses", "plan"});
  c.text(o, "", "complaint", true);
  for (auto key : {"history", "examination", "plan"}) c.text(o, "", key, false);
  c.array(o, "diagnoses", 1, 20, [&](const json::object& d, const std::string& p) {
    c.allow_members(d, p, {"code", "text"});
    c.text(d, p, "code", true);
    c.text(d, p, "text", true);
    if (const auto* code = d.if_contains("code"); code && code->is_string() && !code->get_string().empty() &&
                                                  !is_icd10_code(code->get_string()))
      c.refuse(p + "code", "is not an ICD-10 code (a letter, two digits, optionally .digits: O24.4)");
  });
}

void check_prescription(Checker& c) {
  const auto& o = c.root();
  c.allow_members(o, "", {"items", "note"});
  c.text(o, "", "note", false);
  c.array(o, "items", 1, 20, [&](const json::object& item, const std::string& p) {
    c.allow_members(item, p, {"drug", "strength", "dose", "dose_unit", "route", "frequency", "days", "quantity", "unit"});
    for (auto key : {"drug", "strength", "dose_unit", "route", "frequency", "unit"}) c.text(item, p, key, true);
    c.positive(item, p, "dose", false);
    c.positive(item, p, "days", true);
    c.positive(item, p, "quantity", false);
  });
}

void check_report_header(Checker& c) {
  const auto& o = c.root();
  c.coded(o, "", "service", true);
  c.text(o, "", "accession", false);
  if (auto at = c.number(o, "", "observed_at", false); at && *at < 0) c.refuse("observed_at", "must not be negative");
}

void check_lab_report(Checker& c) {
  const auto& o = c.root();
  c.allow_members(o, "", {"service", "accession", "observed_at", "results", "conclusion"});
  check_report_header(c);
  c.text(o, "", "conclusion", false);
  c.array(o, "results", 1, 500, [&](const json::object& r, const std::string& p) {
    c.allow_members(r, p, {"code", "name", "value", "numeric", "unit", "reference_range", "abnormal_flags", "abnormal",
                  "status", "notes"});
    c.text(r, p, "code", true);
    for (auto key : {"name", "value", "unit", "reference_range", "status"}) c.text(r, p, key, false);
    c.number(r, p, "numeric", false);
    c.boolean(r, p, "abnormal");
    for (auto key : {"abnormal_flags", "notes"})
      if (const auto* v = r.if_contains(key); v && !v->is_null()) {
        bool ok = v->is_array();
        if (ok)
          for (const auto& f : v->get_array()) ok = ok && f.is_string() && characters(f.get_string()) <= kMaxText;
        if (!ok) c.refuse(p + key, "must be a list of text");
      }
  });
}

void check_exam_report(Checker& c) {
  const auto& o = c.root();
  c.allow_members(o, "", {"service", "accession", "observed_at", "findings", "impression"});
  check_report_header(c);
  c.text(o, "", "findings", true);
  c.text(o, "", "impression", false);
}

}  // namespace

std::string_view kind_name(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::record: return "record";
    case DocumentKind::prescription: return "prescription";
    case DocumentKind::lab_report: return "lab_report";
    case DocumentKind::exam_report: return "exam_report";
  }
  return "record";
}

std::optional<DocumentKind> parse_kind(std::string_view name) {
  for (auto k : {DocumentKind::record, DocumentKind::prescription, DocumentKind::lab_report,
                 DocumentKind::exam_report})
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

std::string_view fhir_resource(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::record: return "Composition";
    case DocumentKind::prescription: return "MedicationRequest";
    default: return "DiagnosticReport";
  }
}

bool is_report(DocumentKind kind) { return kind == DocumentKind::lab_report || kind == DocumentKind::exam_report; }

bool is_icd10_code(std::string_view code) {
  auto upper = [](char ch) { return ch >= 'A' && ch <= 'Z'; };
  auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  if (code.size() < 3 || !upper(code[0]) || !digit(code[1]) || !(digit(code[2]) || upper(code[2]))) return false;
  if (code.size() == 3) return true;
  if (code[3] != '.' || code.size() < 5 || code.size() > 8) return false;
  for (char ch : code.substr(4))
    if (!digit(ch) && !upper(ch)) return false;
  return true;
}

Result<std::string> normalize_content(DocumentKind kind, std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return fail(Error::invalid("content", "is not JSON: " + ec.message()));
  if (!value.is_object()) return fail(Error::invalid("content", "must be an object"));
  Checker checker(value.get_object());
  switch (kind) {
    case DocumentKind::record: check_record(checker); break;
    case DocumentKind::prescription: check_prescription(checker); break;
    case DocumentKind::lab_report: check_lab_report(checker); break;
    case DocumentKind::exam_report: check_exam_report(checker); break;
  }
  if (!checker.errors().empty()) return fail(Error::invalid(checker.errors()));
  return canonical_json(text, "content");
}

int abnormal_count(DocumentKind kind, std::string_view canonical_content) {
  if (kind != DocumentKind::lab_report) return 0;
  boost::system::error_code ec;
  json::value value = json::parse(canonical_content, ec);
  if (ec || !value.is_object()) return 0;
  const auto* results = value.get_object().if_contains("results");
  if (!results || !results->is_array()) return 0;
  int n = 0;
  for (const auto& r : results->get_array())
    if (const auto* a = r.is_object() ? r.get_object().if_contains("abnormal") : nullptr; a && a->is_bool() &&
                                                                                            a->get_bool())
      ++n;
  return n;
}

}  // namespace stork::clinical
