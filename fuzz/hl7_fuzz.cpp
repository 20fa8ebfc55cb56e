// libFuzzer target for the HL7 v2 intake: MLLP framing, message parsing,
// ORU^R01 mapping and ACK building, the path bytes from a LIS take.
//
// Besides "no crash, no sanitizer report" it checks two properties:
//   - whatever came in, the ACK we build is itself a message we can parse,
//     and its MSA-2 echoes the control id we read; the same for the ACK of
//     Hl7Endpoint (the listener's path) in front of a sink that accepts all;
//   - hl7_unescape(hl7_escape(text)) == text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "interop/hl7_ack.hpp"
#include "interop/hl7_endpoint.hpp"
#include "interop/hl7_message.hpp"
#include "interop/mllp.hpp"
#include "interop/oru.hpp"

namespace {

using namespace stork::interop;

constexpr size_t kMaxMessage = 64 * 1024;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "hl7_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_ack(const std::string& ack, const AckHeader& header) {
  auto back = Hl7Message::parse(ack);
  if (!back) fail(("ACK does not parse: " + back.error().text()).c_str(), ack);
  // "" is the HL7 null: it reads back as empty, by design.
  if (header.control_id != "\"\"" && back->field("MSA", 2) != header.control_id)
    fail("MSA-2 does not echo the control id", ack);
}

class AcceptAllSink : public OruSink {
 public:
  Hl7Result<IntakeOutcome> accept(const OruReport&, std::string_view) override {
    return IntakeOutcome::accepted;
  }
};

void check_endpoint(std::string_view bytes) {
  static AcceptAllSink sink;
  static Hl7Endpoint endpoint(sink, [] { return int64_t{1795739405000}; },
                              EndpointOptions{480, "STORK", "", kMaxMessage});
  const std::string ack = endpoint.answer(bytes);
  auto back = Hl7Message::parse(ack);
  if (!back) fail(("endpoint ACK does not parse: " + back.error().text()).c_str(), ack);
  const std::string code = back->field("MSA", 1);
  if (code != "AA" && code != "AE" && code != "AR") fail("endpoint ACK has no MSA-1 code", ack);
}

void handle(std::string_view bytes) {
  const AckParams params{"FUZZ-1", 1795739405000, 480};
  auto msg = Hl7Message::parse(bytes, Hl7Limits{kMaxMessage});
  if (!msg) {
    const AckHeader header = ack_header(bytes);
    check_ack(build_ack(header, ack_code_for(msg.error()), &msg.error(), params), header);
    return;
  }
  // Walk every accessor over what the input produced.
  // Bounded: location() counts segments, so all of them would be quadratic.
  const size_t walk = msg->segments().size() < 50 ? msg->segments().size() : 50;
  for (size_t i = 0; i < walk; ++i) {
    const Hl7Segment& seg = msg->segments()[i];
    const int fields = seg.field_count() < 30 ? seg.field_count() : 30;
    for (int f = 0; f <= fields; ++f) {
      (void)seg.get_all(f, 1);
      (void)seg.get(f, 2, 2, 2);
      (void)msg->location(seg, f, 1).text();
    }
  }
  const AckHeader header = ack_header(*msg);
  auto report = map_oru(*msg);
  if (report) {
    check_ack(build_ack(header, AckCode::accept, nullptr, params), header);
  } else {
    (void)report.error().to_error();
    check_ack(build_ack(header, ack_code_for(report.error()), &report.error(), params), header);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  handle(bytes);
  check_endpoint(bytes);

  const Hl7Delimiters d;
  const std::string_view text = bytes.substr(0, 4096);
  if (hl7_unescape(hl7_escape(text, d), d) != text) fail("escape does not round-trip", text);

  // The same bytes as an MLLP stream cut in reads of a size the input picks.
  MllpDecoder decoder(kMaxMessage);
  std::vector<std::string> messages;
  const size_t step = size == 0 ? 1 : 1 + data[0] % 64;
  for (size_t at = 0; at < size; at += step)
    if (!decoder.feed(bytes.substr(at, step), messages)) break;
  for (const std::string& m : messages) handle(m);
  return 0;
}
