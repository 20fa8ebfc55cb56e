#pragma once
// Notifications and signed answers as WeChat Pay API v3 makes them: a JSON
// envelope {id, create_time, event_type, resource_type, summary, resource}
// whose resource is the AEAD_AES_256_GCM-encrypted transaction or refund,
// and Wechatpay-{Timestamp,Nonce,Signature,Serial} headers signing
// "timestamp\nnonce\nbody\n" with the platform key.
//
// Thread safety: immutable after construction; safe from any thread.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crypto/rsa.hpp"
#include "paysim/trade_book.hpp"

namespace stork::paysim {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request as it goes on the wire.
struct Envelope {
  std::string body;
  Headers headers;
  std::string nonce;
  int64_t timestamp_s = 0;
};

class NoticeMaker {
 public:
  // REQUIRES: apiv3_key.size() == 32.
  NoticeMaker(crypto::RsaPrivateKey key, crypto::Certificate cert, std::string apiv3_key,
              std::string mchid, int utc_offset_minutes);

  // TRANSACTION.SUCCESS for a paid trade. amount_fen overrides the amount
  // (for forgeries); -1 keeps the trade's.
  std::string transaction_body(const SimTrade& t, int64_t now_ms, int64_t amount_fen = -1) const;
  // REFUND.SUCCESS for a settled refund.
  std::string refund_body(const SimRefund& r, const SimTrade& t, int64_t now_ms,
                          int64_t amount_fen = -1) const;

  // Fresh timestamp (from now_ms) and nonce; signature over them and body.
  Envelope sign(std::string body, int64_t now_ms) const;
  // The headers that go with an API answer.
  Headers answer_headers(std::string_view body, int64_t now_ms) const;

  const crypto::Certificate& certificate() const { return cert_; }
  const std::string& mchid() const { return mchid_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }

 private:
  std::string envelope(std::string_view event_type, std::string_view summary,
                       std::string_view original_type, const std::string& resource_json,
                       int64_t now_ms) const;
  Headers signed_headers(std::string_view body, const std::string& timestamp,
                         const std::string& nonce) const;

  crypto::RsaPrivateKey key_;
  crypto::Certificate cert_;
  std::string apiv3_key_;
  std::string mchid_;
  int utc_offset_minutes_;
};

// The JSON a query answer and a TRANSACTION resource share.
std::string transaction_json(const SimTrade& t, const std::string& mchid, int utc_offset_minutes,
                             int64_t amount_fen = -1);
// The JSON a refund answer gives; the notification resource differs in keys.
std::string refund_answer_json(const SimRefund& r, const SimTrade& t, int utc_offset_minutes);

}  // namespace stork::paysim
