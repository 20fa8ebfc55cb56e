#pragma once
// One HL7 v2 message in, the ACK text out: parse -> map_oru -> sink ->
// build_ack. The MLLP listener calls answer() for every message it reads;
// storing the report is the sink's job (the clinical module implements it).
// Pure apart from the sink: no sockets, no database, so the libFuzzer build
// compiles it too.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "interop/hl7_ack.hpp"
#include "interop/hl7_error.hpp"
#include "interop/oru.hpp"

namespace stork::interop {

// duplicate: the sender sent this control id before; the report was
// processed once and the message is ACKed AA again.
enum class IntakeOutcome { accepted, duplicate };

// Where ORU reports go. Implemented by the clinical module.
class OruSink {
 public:
  virtual ~OruSink() = default;
  // Stores the report. Errors are Hl7Error so the NAK names segment and
  // field (unknown patient: AE at PID-3, code hl7_unknown_patient).
  // Called from listener worker threads at the same time: must be
  // thread-safe. May block (database). May throw only on bugs; answer()
  // turns that into AE hl7_internal.
  virtual Hl7Result<IntakeOutcome> accept(const OruReport& report, std::string_view raw_message) = 0;
};

struct EndpointOptions {
  // Zone of the ACK's MSH-7 and of message times sent without an offset.
  int utc_offset_minutes = 480;
  // Our MSH-3 / MSH-4 in the ACK when the message left its MSH-5 / MSH-6
  // empty; otherwise the ACK echoes what the sender called us.
  std::string receiving_application = "STORK";
  std::string receiving_facility;
  // Messages larger than this get AR hl7_too_large (the listener's frame
  // limit is a little larger, so such a message is still answered).
  size_t max_message_bytes = size_t{1} << 20;
};

struct EndpointCounters {
  uint64_t accepted = 0;    // AA, stored
  uint64_t duplicates = 0;  // AA, seen before
  uint64_t errors = 0;      // AE
  uint64_t rejects = 0;     // AR
};

// Thread safety: answer() and counters() may be called from any number of
// threads at once (the sink must be thread-safe too). The sink and the
// clock must outlive the endpoint.
class Hl7Endpoint {
 public:
  Hl7Endpoint(OruSink& sink, std::function<int64_t()> now_ms, EndpointOptions options = {});

  // The ACK (unframed, \r-terminated segments) for one raw message. Never
  // throws; a message that cannot be parsed gets an AR built from
  // ack_header(raw). Every ACK gets its own control id (MSH-10).
  std::string answer(std::string_view raw_message);

  EndpointCounters counters() const;

 private:
  std::string next_control_id();
  std::string acknowledge(AckHeader header, AckCode code, const Hl7Error* error);
  std::string refuse(AckHeader header, const Hl7Error& error);

  OruSink& sink_;
  std::function<int64_t()> now_ms_;
  EndpointOptions options_;
  std::string id_prefix_;  // distinct per endpoint start, so ids differ across restarts
  std::atomic<uint64_t> next_id_{1};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> rejects_{0};
};

}  // namespace stork::interop
