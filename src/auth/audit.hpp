#pragma once
// The append-only, hash-chained audit log (DESIGN.md §5.5).
//
// Each entry's hash covers its own fields and the previous entry's hash, so
// changing, removing or reordering any entry breaks the chain from there on.
// Ids are gapless (taken from the audit_head row, which also holds the hash
// of the newest entry, so removing the tail is caught too). Database
// triggers refuse UPDATE and DELETE on audit_log.
//
// append() writes inside the caller's transaction: an audited change and
// its audit entry commit or roll back together.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/model.hpp"
#include "core/clock.hpp"
#include "store/database.hpp"

namespace stork::auth {

struct AuditEntry {
  std::string actor;      // "staff:admin", "patient:138****5678", "anonymous"
  std::string action;     // "auth.login", "user.create", "patient.read", ...
  std::string entity;     // "user", "patient", "session"
  std::string entity_id;  // the record's id, or "" when none
  std::string outcome;    // "success", "denied", "failed"
  std::string detail;     // short, never personal data in clear
};

struct AuditRecord {
  int64_t id = 0;
  int64_t at_ms = 0;
  AuditEntry entry;
  std::string ip;
  std::string request_id;
  std::string prev_hash;
  std::string hash;
};

struct AuditVerifyReport {
  bool ok = true;
  int64_t checked = 0;
  std::optional<int64_t> first_broken_id;
  std::string reason;
};

// Thread-safe (all state is in the database).
class AuditLog {
 public:
  explicit AuditLog(const Clock& clock) : clock_(clock) {}

  // Appends within the caller's write transaction.
  Status append(store::Connection& c, const AuditEntry& entry, const RequestContext& ctx) const;
  // Appends in a transaction of its own (audits of reads and refusals).
  Status append(store::Database& db, const AuditEntry& entry, const RequestContext& ctx) const;

  // Newest first; entries with id < before_id when given.
  Result<std::vector<AuditRecord>> list(store::Database& db, int limit,
                                        std::optional<int64_t> before_id) const;

  // Recomputes the whole chain and names the first entry that does not fit.
  Result<AuditVerifyReport> verify(store::Database& db) const;

 private:
  const Clock& clock_;
};

// The hash of one entry given the previous hash; exposed for tests.
std::string audit_hash(const AuditRecord& r);

}  // namespace stork::auth
