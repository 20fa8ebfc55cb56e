#include "http/problem.hpp"

#include <boost/json.hpp>
#include <unordered_map>

#include "core/log.hpp"

namespace stork::http {

int status_for(const std::string& code) {
  static const std::unordered_map<std::string, int> kStatus = {
      {"validation_failed", 400},
      {"malformed_json", 400},
      {"bad_request", 400},
      {"unauthenticated", 401},
      {"invalid_credentials", 401},
      {"forbidden", 403},
      {"account_disabled", 403},
      {"not_found", 404},
      {"route_not_found", 404},
      {"method_not_allowed", 405},
      {"conflict", 409},
      {"document_registered", 409},
      {"likely_duplicate", 409},
      {"already_registered", 409},
      {"already_merged", 409},
      {"already_linked", 409},
      {"child_is_minor", 409},
      {"identity_complete", 409},
      {"slot_full", 409},
      {"quota_exhausted", 409},
      {"not_released", 409},
      {"slot_past", 409},
      {"session_stopped", 409},
      {"limit_reached", 409},
      {"patient_conflict", 409},
      {"restricted", 409},
      {"cancel_deadline_passed", 409},
      {"check_in_too_early", 409},
      {"check_in_too_late", 409},
      {"invalid_state", 409},
      {"already_waiting", 409},
      {"already_rebooked", 409},
      {"questionnaire_changed", 409},
      {"holiday_exists", 409},
      {"special_needs_share_exceeded", 409},
      {"payment_required", 409},
      {"room_closed", 409},
      {"queue_empty", 409},
      {"fee_overlaps", 409},
      {"order_expired", 409},
      {"order_closed", 409},
      {"already_paid", 409},
      {"nothing_to_refund", 409},
      {"amount_mismatch", 422},
      {"refund_exceeds_payment", 422},
      {"bad_signature", 401},
      {"stale_notification", 401},
      {"nonce_reused", 401},
      {"gateway_unavailable", 502},
      {"gateway_refused", 502},
      {"idempotency_key_reused", 422},
      {"card_forged", 422},
      {"card_expired", 422},
      {"card_replaced", 422},
      {"too_many_requests", 429},
      {"code_locked", 429},
      {"break_glass_required", 403},
      {"not_author", 403},
      {"document_signed", 409},
      {"wrong_pin", 409},
      {"pin_locked", 409},
      {"signing_key_missing", 409},
      {"certificate_revoked", 409},
      {"certificate_expired", 409},
      {"certificate_not_yet_valid", 409},
      {"credential_changed", 409},
      {"review_not_pending", 409},
      {"not_approved", 409},
      {"already_dispensed", 409},
      {"draft_exists", 409},
      {"not_signed", 409},
      {"unknown_patient", 422},
      {"unsupported_algorithm", 409},
      {"token_exists", 409},
      {"no_free_token", 409},
      {"authority_exists", 409},
      {"already_revoked", 409},
      {"other_authority", 409},
      {"username_taken", 409},
      {"last_admin", 409},
      {"unique_violation", 409},
      {"constraint_violation", 409},
      {"payload_too_large", 413},
      {"headers_too_large", 431},
      {"unsupported_media_type", 415},
      {"account_locked", 429},
      {"too_many_connections", 503},
      {"unavailable", 503},
      {"db_unavailable", 503},
      {"db_busy", 503},
      {"shutting_down", 503},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 500 : it->second;
}

std::string title_for(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign-in required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Payload too large";
    case 415: return "Unsupported media type";
    case 422: return "Unprocessable content";
    case 429: return "Too many requests";
    case 431: return "Request headers too large";
    case 502: return "Bad gateway";
    case 503: return "Service unavailable";
    default: return status >= 500 ? "Internal server error" : "Error";
  }
}

Response problem(const Error& error, const std::string& request_id) {
  const int status = status_for(error.code);
  boost::json::object body;
  const std::string code = status == 500 ? std::string("internal") : error.code;
  body["type"] = "/problems/" + code;
  body["title"] = title_for(status);
  body["status"] = status;
  // 502 and 503 explain themselves (the gateway's refusal, a busy
  // database); anything else 5xx is our fault and is not shown.
  if (status >= 500 && status != 502 && status != 503) {
    log::error("internal error", {{"request_id", request_id}, {"code", error.code},
                                  {"message", error.message}});
    body["detail"] = "an internal error occurred; quote request id " + request_id;
  } else {
    body["detail"] = error.message;
  }
  body["code"] = code;
  if (!error.fields.empty()) {
    boost::json::array fields;
    for (const auto& f : error.fields) fields.push_back({{"field", f.field}, {"message", f.message}});
    body["errors"] = std::move(fields);
  }
  for (const auto& d : error.details)
    std::visit([&](const auto& v) { body[d.key] = v; }, d.value);
  body["request_id"] = request_id;
  Response res{status, "application/problem+json", boost::json::serialize(body), {}};
  for (const auto& d : error.details)
    if (d.key == "retry_after_seconds" && std::holds_alternative<int64_t>(d.value))
      res.headers.emplace_back("Retry-After", std::to_string(std::get<int64_t>(d.value)));
  return res;
}

}  // namespace stork::http
