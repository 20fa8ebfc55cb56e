#include "scheduling/schedule_model.hpp"

namespace stork::scheduling {
namespace {
constexpr std::array<std::pair<Channel, std::string_view>, 6> kChannels = {{
    {Channel::online, "online"},
    {Channel::kiosk, "kiosk"},
    {Channel::phone_line, "phone_line"},
    {Channel::window, "window"},
    {Channel::referral, "referral"},
    {Channel::doctor, "doctor"},
}};
}  // namespace

std::string_view channel_name(Channel c) {
  for (auto [ch, name] : kChannels)
    if (ch == c) return name;
  return "online";
}

std::optional<Channel> parse_channel(std::string_view text) {
  for (auto [ch, name] : kChannels)
    if (name == text) return ch;
  return std::nullopt;
}

QuotaClass quota_class(Channel c) {
  switch (c) {
    case Channel::online:
    case Channel::kiosk:
    case Channel::phone_line: return QuotaClass::online;
    case Channel::window: return QuotaClass::window;
    case Channel::referral: return QuotaClass::referral;
    case Channel::doctor: return QuotaClass::doctor;
  }
  return QuotaClass::online;
}

std::string_view quota_class_name(QuotaClass q) {
  switch (q) {
    case QuotaClass::online: return "online";
    case QuotaClass::window: return "window";
    case QuotaClass::referral: return "referral";
    case QuotaClass::doctor: return "doctor";
  }
  return "online";
}

std::string_view period_name(Period p) {
  switch (p) {
    case Period::morning: return "morning";
    case Period::afternoon: return "afternoon";
    case Period::evening: return "evening";
  }
  return "morning";
}

std::optional<Period> parse_period(std::string_view t) {
  if (t == "morning") return Period::morning;
  if (t == "afternoon") return Period::afternoon;
  if (t == "evening") return Period::evening;
  return std::nullopt;
}

std::string_view status_name(AppointmentStatus s) {
  switch (s) {
    case AppointmentStatus::booked: return "booked";
    case AppointmentStatus::checked_in: return "checked_in";
    case AppointmentStatus::completed: return "completed";
    case AppointmentStatus::cancelled: return "cancelled";
    case AppointmentStatus::no_show: return "no_show";
  }
  return "booked";
}

}  // namespace stork::scheduling
