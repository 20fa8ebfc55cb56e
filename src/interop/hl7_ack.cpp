#include "interop/hl7_ack.hpp"

#include <cctype>
#include <cstdio>

#include "core/civil_date.hpp"

namespace stork::interop {
namespace {

constexpr size_t kHeaderScanBytes = 4096;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string_view condition_text(Hl7Condition c) {
  switch (c) {
    case Hl7Condition::segment_sequence:
      return "Segment sequence error";
    case Hl7Condition::required_field_missing:
      return "Required field missing";
    case Hl7Condition::data_type:
      return "Data type error";
    case Hl7Condition::table_value_not_found:
      return "Table value not found";
    case Hl7Condition::unsupported_message_type:
      return "Unsupported message type";
    case Hl7Condition::unsupported_event:
      return "Unsupported event code";
    case Hl7Condition::unsupported_processing_id:
      return "Unsupported processing id";
    case Hl7Condition::unsupported_version:
      return "Unsupported version id";
    case Hl7Condition::application_internal:
      return "Application internal error";
  }
  return "Application internal error";
}

}  // namespace

std::string_view ack_code_name(AckCode code) {
  switch (code) {
    case AckCode::accept:
      return "AA";
    case AckCode::error:
      return "AE";
    case AckCode::reject:
      return "AR";
  }
  return "AR";
}

AckCode ack_code_for(const Hl7Error& error) {
  return error.reject ? AckCode::reject : AckCode::error;
}

AckHeader ack_header(const Hl7Message& msg) {
  const Hl7Segment& msh = msg.msh();
  AckHeader h;
  h.delimiters = msg.delimiters();
  h.sending_application = std::string(msh.raw(3));
  h.sending_facility = std::string(msh.raw(4));
  h.receiving_application = std::string(msh.raw(5));
  h.receiving_facility = std::string(msh.raw(6));
  h.control_id = msg.control_id();
  h.processing_id = msh.get(11, 1);
  h.version = msg.version();
  h.trigger_event = msg.trigger_event();
  if (h.processing_id.empty()) h.processing_id = "P";
  return h;
}

AckHeader ack_header(std::string_view raw) {
  AckHeader fallback;
  fallback.processing_id = "P";
  fallback.version = "2.5";
  raw = raw.substr(0, kHeaderScanBytes);
  while (!raw.empty() && (raw.front() == '\r' || raw.front() == '\n')) raw.remove_prefix(1);
  const std::string_view first = raw.substr(0, raw.find_first_of("\r\n"));
  // Parse the first segment alone: a broken body must not cost the sender
  // its control id. The header may itself be cut by the 4 KiB scan.
  auto msg = Hl7Message::parse(first);
  if (msg) return ack_header(*msg);
  // Delimiters unusable or MSH-9/12 missing: still try to echo MSH-10 so the
  // sender can match the refusal, read with the separator it seems to use.
  if (first.size() > 4 && first.starts_with("MSH")) {
    const char fs = first[3];
    const bool usable =
        !(std::isalnum(static_cast<unsigned char>(fs)) || fs == ' ' ||
          static_cast<unsigned char>(fs) < 0x21 || static_cast<unsigned char>(fs) > 0x7E);
    size_t start = 3;
    for (int n = 1; usable && n <= 8 && start != std::string_view::npos; ++n)
      start = first.find(fs, start + 1);
    if (usable && start != std::string_view::npos) {
      const std::string_view id = first.substr(start + 1, first.find(fs, start + 1) - start - 1);
      bool printable = id.size() <= 199;
      for (char ch : id) {
        const auto u = static_cast<unsigned char>(ch);
        printable = printable && u >= 0x20 && u != 0x7F;
      }
      if (printable) fallback.control_id = std::string(id);
    }
  }
  return fallback;
}

std::string format_hl7_time(int64_t utc_ms, int offset_minutes) {
  const int64_t local_s = floor_div(utc_ms, 1000) + int64_t{offset_minutes} * 60;
  const CivilDate d = local_date(utc_ms, offset_minutes);
  const int64_t sod = local_s - floor_div(local_s, 86400) * 86400;
  const int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d%c%02d%02d", d.year, d.month, d.day,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string build_ack(const AckHeader& to, AckCode code, const Hl7Error* error,
                      const AckParams& params) {
  const Hl7Delimiters& d = to.delimiters;
  const std::string f(1, d.field);
  const std::string c(1, d.component);
  const auto esc = [&](std::string_view s) { return hl7_escape(s, d); };
  const std::string version = to.version.empty() ? "2.5" : to.version;
  const std::string processing = to.processing_id.empty() ? "P" : to.processing_id;

  std::string out = "MSH" + f + d.encoding_characters();
  // Receiver and sender swap places: we answer the one who sent it.
  out += f + to.receiving_application + f + to.receiving_facility;
  out += f + to.sending_application + f + to.sending_facility;
  out += f + format_hl7_time(params.now_ms, params.utc_offset_minutes) + f;
  out += f + "ACK" + (to.trigger_event.empty() ? "" : c + esc(to.trigger_event)) + c + "ACK";
  out += f + esc(params.control_id) + f + esc(processing) + f + esc(version) + "\r";

  const bool with_error = code != AckCode::accept && error != nullptr;
  out += "MSA" + f + std::string(ack_code_name(code)) + f + esc(to.control_id);
  // MSA-3 is withdrawn in v2.5 but older senders only read the text there.
  if (with_error) out += f + esc(error->text());
  out += "\r";
  if (!with_error) return out;

  const Hl7Location& w = error->where;
  std::string location;
  if (!w.segment.empty()) {
    location = esc(w.segment) + c + std::to_string(w.occurrence);
    if (w.field > 0) {
      location +=
          c + std::to_string(w.field) + c + std::to_string(w.repetition > 0 ? w.repetition : 1);
      if (w.component > 0) location += c + std::to_string(w.component);
    }
  }
  const int condition = static_cast<int>(error->condition);
  // ERR-1 (withdrawn) empty; ERR-5 carries our own stable code.
  out += "ERR" + f + f + location + f + std::to_string(condition) + c +
         esc(condition_text(error->condition)) + c + "HL70357" + f + "E" + f + esc(error->code) +
         f + f + f + esc(error->text()) + "\r";
  return out;
}

}  // namespace stork::interop
