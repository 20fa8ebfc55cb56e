#include "support/portal_login.hpp"

#include <gtest/gtest.h>

namespace stork::testing {

std::string patient_token(TestServer& server, const std::string& phone) {
  auto c = server.client();
  auto otp = c.post_json("/api/v1/portal/otp", {{"phone", phone}});
  if (otp.status != 202) {
    ADD_FAILURE() << "otp for " << phone << ": " << otp.status << " " << otp.body;
    return "";
  }
  auto outbox = c.get("/api/v1/sms-simulator/outbox?phone=" + phone).json();
  const std::string text(outbox.at("items").at(0).at("text").as_string());
  const std::string code = text.substr(text.find("是 ") + 4, 6);
  auto login = c.post_json("/api/v1/portal/login", {{"phone", phone}, {"code", code}});
  if (login.status != 200) {
    ADD_FAILURE() << "portal login " << phone << ": " << login.status << " " << login.body;
    return "";
  }
  return std::string(login.json().at("token").as_string());
}

}  // namespace stork::testing
