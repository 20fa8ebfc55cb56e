#include "clinical/print.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "core/civil_date.hpp"
#include "patients/qr_image.hpp"

namespace stork::clinical {
namespace json = boost::json;

namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string local_time(int64_t utc_ms, int offset_minutes) {
  int64_t local = utc_ms / 1000 + int64_t{offset_minutes} * 60;
  CivilDate day = local_date(utc_ms, offset_minutes);
  int64_t seconds = ((local % 86400) + 86400) % 86400;
  char hm[16];
  std::snprintf(hm, sizeof hm, " %02d:%02d", static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60));
  return format_date(day) + hm;
}

std::string_view title_of(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::record: return "门诊病历 Outpatient record";
    case DocumentKind::prescription: return "处方 Prescription";
    case DocumentKind::lab_report: return "检验报告 Laboratory report";
    case DocumentKind::exam_report: return "检查报告 Examination report";
  }
  return "";
}

std::string scalar(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "";
  if (v.is_bool()) return v.get_bool() ? "↑↓ yes" : "";
  return json::serialize(v);
}

// Content members in their stored order: text as paragraphs, lists of
// objects as tables (diagnoses, prescription items, results).
std::string render_content(const json::object& content) {
  std::string html;
  for (const auto& [key, value] : content) {
    html += "<h3>" + escape(key) + "</h3>";
    if (value.is_array() && !value.get_array().empty() && value.get_array().front().is_object()) {
      const auto& rows = value.get_array();
      std::vector<std::string> columns;
      for (const auto& [column, unused] : rows.front().get_object()) columns.emplace_back(column);
      html += "<table><tr>";
      for (const auto& c : columns) html += "<th>" + escape(c) + "</th>";
      html += "</tr>";
      for (const auto& row : rows) {
        bool abnormal = false;
        if (const auto* a = row.get_object().if_contains("abnormal"); a && a->is_bool()) abnormal = a->get_bool();
        html += abnormal ? "<tr class=\"abnormal\">" : "<tr>";
        for (const auto& c : columns) {
          const auto* cell = row.get_object().if_contains(c);
          std::string text;
          if (cell && cell->is_array())
            for (const auto& item : cell->get_array()) text += (text.empty() ? "" : ", ") + scalar(item);
          else if (cell)
            text = scalar(*cell);
          html += "<td>" + escape(text) + "</td>";
        }
        html += "</tr>";
      }
      html += "</table>";
    } else if (value.is_object()) {
      std::string text;
      for (const auto& [k, v] : value.get_object()) text += (text.empty() ? "" : " · ") + scalar(v);
      html += "<p>" + escape(text) + "</p>";
    } else {
      html += "<p>" + escape(scalar(value)) + "</p>";
    }
  }
  return html;
}

}  // namespace

std::string print_html(const PrintInput& in) {
  const Document& d = in.document;
  boost::system::error_code ec;
  json::value content = json::parse(d.content, ec);
  std::string qr;
  if (auto matrix = patients::encode_qr(in.verify_url)) qr = patients::qr_svg(*matrix);

  std::string html =
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + escape(title_of(d.kind)) +
      " #" + std::to_string(d.id) +
      "</title><style>"
      "@page{size:A4;margin:18mm}body{font:14px/1.5 'WenQuanYi Micro Hei',sans-serif;color:#000;max-width:180mm;"
      "margin:auto}h1{font-size:20px;margin:0}h3{font-size:14px;margin:12px 0 4px;text-transform:capitalize}"
      "table{border-collapse:collapse;width:100%}td,th{border:1px solid #444;padding:2px 6px;text-align:left}"
      "tr.abnormal td{font-weight:bold}.meta{display:flex;justify-content:space-between;gap:12px}"
      ".qr svg{width:32mm;height:32mm}.sig{border-top:1px solid #000;margin-top:16px;padding-top:8px}"
      "</style></head><body>";
  html += "<div class=\"meta\"><div><h1>" + escape(title_of(d.kind)) + "</h1>";
  html += "<p>No. " + std::to_string(d.id) + " · v" + std::to_string(d.version) +
          (d.replaces ? " · replaces No. " + std::to_string(*d.replaces) : "") + "</p>";
  html += "<p>" + escape(in.patient.name) + " · " + escape(in.patient.sex) + " · " + escape(in.patient.birth_date) +
          "</p></div>";
  html += "<div class=\"qr\">" + qr + "</div></div>";
  html += content.is_object() ? render_content(content.get_object()) : "<p>(unreadable content)</p>";
  html += "<div class=\"sig\">";
  if (d.signed_at_ms) {
    html += "<p>电子签名 Signed by <b>" + escape(d.signer_name) + "</b> · " +
            local_time(*d.signed_at_ms, in.utc_offset_minutes) + "</p>";
    html += "<p>" + escape(in.signer_algorithm) + " · certificate " + escape(in.signer_serial) + "</p>";
    html += "<p>SHA-256 " + escape(d.content_hash) + "</p>";
    if (d.reviewed_at_ms && d.review_status == "approved")
      html += "<p>药师审核 Reviewed by <b>" + escape(d.reviewer_name) + "</b> · " +
              local_time(*d.reviewed_at_ms, in.utc_offset_minutes) + "</p>";
  } else {
    html += "<p><b>草稿 DRAFT — not signed</b></p>";
  }
  html += "<p>扫码验证 Verify: " + escape(in.verify_url) + "</p></div></body></html>";
  return html;
}

}  // namespace stork::clinical
