#include "auth/audit.hpp"

#include "auth/repo.hpp"
#include "crypto/hash.hpp"

namespace stork::auth {
namespace {

AuditRecord record_from(const store::Row& r) {
  AuditRecord a;
  a.id = r.integer(0);
  a.at_ms = r.integer(1);
  a.entry = {r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)};
  a.ip = r.text(8);
  a.request_id = r.text(9);
  a.prev_hash = r.text(10);
  a.hash = r.text(11);
  return a;
}

// Length-prefixed so that no two different entries serialize alike.
void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

}  // namespace

std::string audit_hash(const AuditRecord& r) {
  std::string data;
  put(data, r.prev_hash);
  put(data, std::to_string(r.id));
  put(data, std::to_string(r.at_ms));
  put(data, r.entry.actor);
  put(data, r.entry.action);
  put(data, r.entry.entity);
  put(data, r.entry.entity_id);
  put(data, r.entry.outcome);
  put(data, r.entry.detail);
  put(data, r.ip);
  put(data, r.request_id);
  return crypto::sha256_hex(data);
}

Status AuditLog::append(store::Connection& c, const AuditEntry& entry,
                        const RequestContext& ctx) const {
  // Taking the next id locks the head row, so appends are serialized across
  // threads and nodes and each one chains onto the last.
  auto head = c.query(sql::kAdvanceAuditHead);
  if (!head) return fail(head.error());
  if (head->size() != 1) return fail(Error::internal("audit_head row missing"));
  AuditRecord r;
  r.id = (*head)[0].integer(0);
  r.prev_hash = (*head)[0].text(1);
  r.at_ms = clock_.now_ms();
  r.entry = entry;
  r.ip = ctx.ip;
  r.request_id = ctx.request_id;
  r.hash = audit_hash(r);
  auto ins = c.execute(sql::kInsertAudit,
                       {r.id, r.at_ms, r.entry.actor, r.entry.action, r.entry.entity,
                        r.entry.entity_id, r.entry.outcome, r.entry.detail, r.ip, r.request_id,
                        r.prev_hash, r.hash});
  if (!ins) return fail(ins.error());
  auto upd = c.execute(sql::kSetAuditHeadHash, {r.hash});
  if (!upd) return fail(upd.error());
  return {};
}

Status AuditLog::append(store::Database& db, const AuditEntry& entry,
                        const RequestContext& ctx) const {
  return db.write([&](store::Connection& c) { return append(c, entry, ctx); });
}

Result<std::vector<AuditRecord>> AuditLog::list(store::Database& db, int limit,
                                                std::optional<int64_t> before_id) const {
  return store::read_tx(db, [&](store::Connection& c) -> Result<std::vector<AuditRecord>> {
    auto rows = c.query(sql::kListAudit,
                        {before_id.value_or(INT64_MAX), static_cast<int64_t>(limit)});
    if (!rows) return fail(rows.error());
    std::vector<AuditRecord> out;
    for (const auto& r : *rows) out.push_back(record_from(r));
    return out;
  });
}

Result<AuditVerifyReport> AuditLog::verify(store::Database& db) const {
  return store::read_tx(db, [&](store::Connection& c) -> Result<AuditVerifyReport> {
    AuditVerifyReport report;
    auto head = c.query(sql::kSelectAuditHead);
    if (!head) return fail(head.error());
    if (head->size() != 1) return fail(Error::internal("audit_head row missing"));
    const int64_t head_seq = (*head)[0].integer(0);
    const std::string head_hash = (*head)[0].text(1);

    auto broken = [&](int64_t id, std::string reason) {
      report.ok = false;
      report.first_broken_id = id;
      report.reason = std::move(reason);
      return report;
    };

    std::string prev(64, '0');
    int64_t expected_id = 1;
    constexpr int64_t kBatch = 1000;  // bounded memory on long logs
    for (;;) {
      auto rows = c.query(sql::kScanAudit, {expected_id - 1, kBatch});
      if (!rows) return fail(rows.error());
      for (const auto& row : *rows) {
        const AuditRecord r = record_from(row);
        if (r.id != expected_id)
          return broken(expected_id, "entry " + std::to_string(expected_id) + " is missing");
        if (r.prev_hash != prev)
          return broken(r.id, "entry " + std::to_string(r.id) +
                                  " does not point to the hash of the entry before it");
        if (audit_hash(r) != r.hash)
          return broken(r.id, "entry " + std::to_string(r.id) +
                                  " was changed after it was written (hash mismatch)");
        prev = r.hash;
        ++expected_id;
        ++report.checked;
      }
      if (static_cast<int64_t>(rows->size()) < kBatch) break;
    }
    if (report.checked != head_seq)
      return broken(report.checked + 1, "entries after " + std::to_string(report.checked) +
                                            " were removed (the log head records " +
                                            std::to_string(head_seq) + ")");
    if (head_seq > 0 && head_hash != prev)
      return broken(head_seq, "the newest entry does not match the hash recorded in the log head");
    return report;
  });
}

}  // namespace stork::auth
