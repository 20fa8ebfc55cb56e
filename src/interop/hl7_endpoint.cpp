#include "interop/hl7_endpoint.hpp"

#include <exception>
#include <utility>

#include "interop/hl7_message.hpp"

namespace stork::interop {
namespace {

std::string base36(uint64_t n) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n % 36]);
    n /= 36;
  } while (n > 0);
  return out;
}

Hl7Error internal_error() {
  return Hl7Error{"hl7_internal", Hl7Condition::application_internal, false, {},
                  "the report could not be stored; send it again later"};
}

}  // namespace

Hl7Endpoint::Hl7Endpoint(OruSink& sink, std::function<int64_t()> now_ms, EndpointOptions options)
    : sink_(sink), now_ms_(std::move(now_ms)), options_(std::move(options)) {
  const int64_t start = now_ms_();
  // 'A' + start time in base 36 + '-' + counter: "AMI4B0Q5C-17", under the
  // 20 characters v2.5 allows MSH-10 for the first hundred million ACKs.
  id_prefix_ = "A" + base36(static_cast<uint64_t>(start < 0 ? 0 : start)) + "-";
}

std::string Hl7Endpoint::next_control_id() {
  return id_prefix_ + std::to_string(next_id_.fetch_add(1, std::memory_order_relaxed));
}

std::string Hl7Endpoint::acknowledge(AckHeader header, AckCode code, const Hl7Error* error) {
  // We answer as whoever the sender addressed; if it addressed no one, as us.
  if (header.receiving_application.empty())
    header.receiving_application = hl7_escape(options_.receiving_application, header.delimiters);
  if (header.receiving_facility.empty())
    header.receiving_facility = hl7_escape(options_.receiving_facility, header.delimiters);
  const AckParams params{next_control_id(), now_ms_(), options_.utc_offset_minutes};
  return build_ack(header, code, error, params);
}

std::string Hl7Endpoint::refuse(AckHeader header, const Hl7Error& error) {
  const AckCode code = ack_code_for(error);
  (code == AckCode::reject ? rejects_ : errors_).fetch_add(1, std::memory_order_relaxed);
  return acknowledge(std::move(header), code, &error);
}

std::string Hl7Endpoint::answer(std::string_view raw_message) {
  try {
    auto msg = Hl7Message::parse(raw_message, Hl7Limits{options_.max_message_bytes});
    if (!msg) return refuse(ack_header(raw_message), msg.error());
    AckHeader header = ack_header(*msg);
    auto report = map_oru(*msg, OruOptions{options_.utc_offset_minutes});
    if (!report) return refuse(std::move(header), report.error());
    auto outcome = sink_.accept(*report, raw_message);
    if (!outcome) return refuse(std::move(header), outcome.error());
    (*outcome == IntakeOutcome::duplicate ? duplicates_ : accepted_)
        .fetch_add(1, std::memory_order_relaxed);
    return acknowledge(std::move(header), AckCode::accept, nullptr);
  } catch (...) {
    // A bug or an exhausted machine: the sender keeps the message and
    // tries again, which AE (not AR) tells it.
  }
  try {
    return refuse(ack_header(raw_message), internal_error());
  } catch (...) {
    return {};  // out of memory even for the NAK: the listener sends an empty frame
  }
}

EndpointCounters Hl7Endpoint::counters() const {
  return EndpointCounters{accepted_.load(std::memory_order_relaxed),
                          duplicates_.load(std::memory_order_relaxed),
                          errors_.load(std::memory_order_relaxed),
                          rejects_.load(std::memory_order_relaxed)};
}

}  // namespace stork::interop
