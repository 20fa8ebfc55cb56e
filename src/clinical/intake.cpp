// Reports received from a LIS or PACS: stored as drafts awaiting the
// reporting doctor's signature, once per message.
#include "clinical/service.hpp"
#include "clinical/service_impl.hpp"

namespace stork::clinical {

Result<IntakeResult> DocumentService::receive_report(const IncomingReport& in, const std::string& actor,
                                                     const Ctx& ctx) {
  if (!is_report(in.kind)) return fail(Error::invalid("kind", "must be lab_report or exam_report"));
  if (in.message_key.empty() || in.message_key.size() > 300)
    return fail(Error::invalid("message_id", "is required (at most 300 characters)"));
  if (in.card_no.empty() && in.id_number.empty())
    return fail(Error::invalid("patient", "give card_no or id_number"));
  auto content = normalize_content(in.kind, in.content_json);
  if (!content) return fail(content.error());
  int abnormal = abnormal_count(in.kind, *content);

  auto stored = store::write_tx(db_, [&](store::Connection& c) -> Result<IntakeResult> {
    auto seen = c.query(sql::kSelectDocumentByMessage, {in.message_key});
    if (!seen) return fail(seen.error());
    if (!seen->empty()) return IntakeResult{seen->front().integer(0), true};
    auto patient = patients_.match(c, in.card_no, in.id_number);
    if (!patient) return fail(patient.error());
    if (!*patient)
      return fail(Error{"unknown_patient", "no patient has this card or document number",
                        {{"patient", "no patient has this card or document number"}}, {}});
    int64_t now = clock_.now_ms();
    auto rows = c.query(sql::kInsertDocument, {std::string(kind_name(in.kind)), **patient, store::Value{}, int64_t{1},
                                               store::Value{}, *content, now, in.source, in.message_key,
                                               in.interpreter, int64_t{abnormal}});
    if (!rows) return fail(rows.error());
    int64_t id = rows->front().integer(0);
    if (auto a = audit_.append(c, {actor, "report.receive", "document", std::to_string(id), "success",
                                   std::string(kind_name(in.kind)) + " via " + in.source + ", patient " +
                                       std::to_string(**patient)},
                               ctx);
        !a)
      return fail(a.error());
    return IntakeResult{id, false};
  });
  // Two copies of one message at once: the loser of the UNIQUE race is a
  // duplicate too.
  if (!stored && stored.error().code == "unique_violation") {
    auto id = store::read_tx(db_, [&](store::Connection& c) -> Result<int64_t> {
      auto seen = c.query(sql::kSelectDocumentByMessage, {in.message_key});
      if (!seen) return fail(seen.error());
      if (seen->empty()) return fail(Error::internal("duplicate message vanished"));
      return seen->front().integer(0);
    });
    if (!id) return fail(id.error());
    return IntakeResult{*id, true};
  }
  return stored;
}

}  // namespace stork::clinical
