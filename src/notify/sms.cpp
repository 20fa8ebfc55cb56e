#include "notify/sms.hpp"

#include <array>

namespace stork::notify {
namespace {

constexpr std::string_view kPhoneColumn = "sms_outbox.phone";

constexpr store::Sql kInsertSms{
    "notify_insert_sms",
    "INSERT INTO sms_outbox (phone_index, phone_enc, phone_masked, body, created_at) VALUES ($1, $2, $3, $4, $5)"};
constexpr store::Sql kSelectInbox{
    "notify_select_inbox",
    "SELECT id, phone_masked, body, created_at FROM sms_outbox WHERE phone_index = $1 ORDER BY id DESC LIMIT $2"};

#define STORK_SMS_DDL(ID)                                                                      \
  "CREATE TABLE sms_outbox (id " ID ", phone_index TEXT NOT NULL, phone_enc TEXT NOT NULL,"     \
  " phone_masked TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);"              \
  "CREATE INDEX sms_outbox_phone ON sms_outbox (phone_index, id);"

constexpr std::array<store::Migration, 1> kMigrations = {{
    {"notify/0001_sms_outbox", STORK_SMS_DDL("INTEGER PRIMARY KEY"),
     STORK_SMS_DDL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
}};

}  // namespace

std::span<const store::Migration> migrations() { return kMigrations; }

Status SimulatedSmsGateway::send(const std::string& phone, const std::string& text) {
  return db_.write([&](store::Connection& c) -> Status {
    auto r = c.execute(kInsertSms, {cipher_.blind_index(phone, kPhoneColumn), cipher_.encrypt(phone, kPhoneColumn),
                                    crypto::mask_phone(phone), text, clock_.now_ms()});
    if (!r) return fail(r.error());
    return {};
  });
}

Result<std::vector<SmsMessage>> SimulatedSmsGateway::inbox(const std::string& phone, int limit) {
  return store::read_tx(db_, [&](store::Connection& c) -> Result<std::vector<SmsMessage>> {
    auto rows = c.query(kSelectInbox, {cipher_.blind_index(phone, kPhoneColumn), int64_t{limit}});
    if (!rows) return fail(rows.error());
    std::vector<SmsMessage> out;
    for (const auto& row : *rows)
      out.push_back({row.integer(0), row.text(1), row.text(2), row.integer(3)});
    return out;
  });
}

}  // namespace stork::notify
