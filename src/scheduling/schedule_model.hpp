#pragma once
// Plain data of the appointment platform (FHIR Schedule / Slot /
// Appointment in shape): weekly templates, the concrete clinic sessions
// generated from them, 30-minute slots with numbered tickets, and
// appointments.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stork::scheduling {

// Where a booking comes from. Quotas are kept for four classes: the phone
// app, kiosks and the phone line share the online quota.
enum class Channel { online, kiosk, phone_line, window, referral, doctor };
enum class QuotaClass { online, window, referral, doctor };
inline constexpr std::array<QuotaClass, 4> kQuotaClasses = {QuotaClass::online, QuotaClass::window,
                                                            QuotaClass::referral, QuotaClass::doctor};

std::string_view channel_name(Channel c);
std::optional<Channel> parse_channel(std::string_view text);
QuotaClass quota_class(Channel c);
std::string_view quota_class_name(QuotaClass q);

enum class Period { morning, afternoon, evening };
std::string_view period_name(Period p);
std::optional<Period> parse_period(std::string_view text);

// A clinic's weekly session: who, when, how it is cut into slots, who may
// book how much of it, and when it opens for booking.
struct ScheduleTemplate {
  int64_t id = 0;
  std::string clinic_code;
  std::optional<int64_t> practitioner_id;  // empty for exam rooms and devices
  std::string room_code;                   // may be empty
  int weekday = 1;                         // ISO: 1 Monday .. 7 Sunday
  Period period = Period::morning;
  int start_minute = 8 * 60;  // local minutes after midnight
  int end_minute = 12 * 60;
  int slot_minutes = 30;
  int capacity_per_slot = 4;
  // Percentages of the tickets per quota class; they sum to 100.
  std::array<int, 4> quota_percent = {60, 20, 10, 10};
  int release_days_ahead = 7;    // slots open this many days before...
  int release_minute = 8 * 60;   // ...at this local time
  int pool_minutes_before = 24 * 60;  // unused channel tickets join the common pool
  std::string preparation;  // shown on booking, e.g. "full bladder" for early ultrasound
  bool active = true;
};

enum class SessionStatus { open, stopped };

struct ClinicSession {
  int64_t id = 0;
  int64_t template_id = 0;
  std::string clinic_code;
  std::optional<int64_t> practitioner_id;
  std::string day;  // YYYY-MM-DD, local
  Period period = Period::morning;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  int64_t release_at_ms = 0;
  int64_t pool_at_ms = 0;
  SessionStatus status = SessionStatus::open;
};

// A slot as the free-slot search shows it.
struct SlotView {
  int64_t id = 0;
  int64_t session_id = 0;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  int capacity = 0;
  int booked = 0;
  int remaining = 0;  // for the channel asked, counting the common pool when open
  bool released = false;
  int64_t release_at_ms = 0;
  std::string clinic_code;
  std::string clinic_name_zh, clinic_name_en, clinic_type;
  std::string department_code;
  std::optional<int64_t> practitioner_id;
  std::string practitioner_name, practitioner_title;
  std::string day;
  Period period = Period::morning;
  std::string preparation;
};

struct SlotQuery {
  std::string department_code;
  std::string clinic_code;
  std::string clinic_type;
  std::optional<int64_t> practitioner_id;
  std::string from_day, to_day;  // YYYY-MM-DD, inclusive; default today .. +14 days
  std::optional<Period> period;
  Channel channel = Channel::online;
  bool only_available = false;
  int limit = 500;
};

enum class AppointmentStatus { booked, checked_in, completed, cancelled, no_show };
std::string_view status_name(AppointmentStatus s);

struct Appointment {
  int64_t id = 0;
  int64_t patient_id = 0;
  int64_t session_id = 0;
  int64_t slot_id = 0;
  int ticket_no = 0;
  Channel channel = Channel::online;
  AppointmentStatus status = AppointmentStatus::booked;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  std::string clinic_code;
  std::string department_code;
  std::optional<int64_t> practitioner_id;
  std::string preparation;
  int64_t created_at_ms = 0;
  std::optional<int64_t> checked_in_at_ms;
  std::optional<int64_t> cancelled_at_ms;
  std::string cancel_reason;
  std::optional<int64_t> rebooked_to;  // the appointment that replaced this one
  std::string payment = "none";        // none | due | paid (see payment_hooks.hpp)
  std::optional<int64_t> payment_due_at_ms;
  // From the booking rules, for the patient's screen.
  int64_t cancel_deadline_ms = 0;
  int64_t check_in_opens_ms = 0;
};

struct BookingRequest {
  int64_t patient_id = 0;
  int64_t slot_id = 0;
  Channel channel = Channel::online;
  std::string idempotency_key;
};

}  // namespace stork::scheduling
