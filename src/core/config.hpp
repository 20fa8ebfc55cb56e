#pragma once
// Server configuration from three layers: a file (`key = value` lines),
// environment variables (STORK_<KEY>), and command-line flags (--key=value).
// Later layers win: flags over environment over file over defaults.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace stork {

struct Config {
  std::string db = "sqlite:var/stork.db";
  std::string listen = "127.0.0.1";
  int port = 8080;
  int io_threads = 0;      // 0: one per core
  std::string io_model = "per_core";  // or "shared" (see http::IoModel)
  int worker_threads = 0;  // blocking work (database, argon2); 0: 4 per core
  std::string web_root = "web/dist";
  std::string tls_cert;  // both set: serve HTTPS
  std::string tls_key;
  std::string key_file = "var/stork.key";  // field-encryption key, generated on first use
  int max_connections = 10000;
  int64_t max_body_bytes = 1 << 20;
  int max_header_bytes = 8 << 10;
  int read_timeout_ms = 10000;   // a request must arrive whole within this
  int idle_timeout_ms = 60000;   // keep-alive connection with no request
  int token_ttl_minutes = 480;   // a staff shift
  int login_max_failures = 5;
  int login_lock_minutes = 15;
  int db_pool_size = 8;
  // Phone sign-in codes one address may request per hour. Patients behind
  // the hospital's Wi-Fi share one address, so this is generous; each
  // phone is separately limited to 5 an hour.
  int portal_codes_per_address_per_hour = 200;
  std::string time_zone = "Asia/Shanghai";
  // Booking rules (scheduling::BookingSettings).
  int booking_max_per_day = 3;
  int booking_max_per_department_per_day = 1;
  int cancel_deadline_minutes = 120;
  int check_in_open_minutes = 60;
  int no_show_limit = 3;          // K no-shows...
  int no_show_window_days = 90;   // ...within D days...
  int no_show_restrict_days = 30; // ...suspend online booking for R days
  int reminder_hours_before = 24;
  int housekeeping_seconds = 60;  // no-show sweep and reminders; 0: off (tests drive them)
  int special_needs_max_percent = 10;  // national cap on special-needs capacity
  bool access_log = true;
  // Billing (billing::BillingSettings and the gateway adapter).
  int payment_window_minutes = 15;  // an unpaid online booking holds its ticket this long
  int payment_query_after_seconds = 60;  // ask the gateway about a checkout not heard of by then
  // "simulator": `stork serve` runs the local WeChat-Pay-style simulator on
  // gateway_sim_port and talks to it like to a real gateway; "wechatpay":
  // the gateway at wechatpay_url with the certificate and key files below.
  std::string payment_gateway = "simulator";
  int gateway_sim_port = 8090;  // 0: any free port
  std::string wechatpay_url;
  std::string wechatpay_mchid = "1900000109";
  std::string wechatpay_platform_cert;   // PEM path: verifies notifications and answers
  std::string wechatpay_apiv3_key_file;  // 64 hex characters: decrypts notifications
  // How browsers and the gateway reach this server (notification and
  // checkout return URLs); default http://<listen>:<port>.
  std::string public_url;

  // Clinical documents (issue 7).
  std::string hl7_listen = "127.0.0.1";  // the MLLP listener for LIS/PACS reports
  int hl7_port = 2575;                   // 0: any free port; -1: off
  std::string signing_pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";  // doctors' UKEY tokens; "" = none
  int signing_max_pin_failures = 5;      // wrong PINs before a signing key locks
  int signing_certificate_days = 730;    // a doctor's certificate, from enrolment or renewal
};

// Raw key/value layers before typing. Keys use snake_case ("max_body_bytes");
// flags may spell them with dashes ("--max-body-bytes").
using ConfigLayer = std::map<std::string, std::string>;

Result<ConfigLayer> read_config_file(const std::string& path);
// STORK_DB -> db, STORK_MAX_BODY_BYTES -> max_body_bytes; STORK_CONFIG is skipped.
ConfigLayer config_from_env(char** envp);

// Applies layers in order onto defaults. Unknown keys and badly typed values
// are errors naming the key.
Result<Config> build_config(const std::vector<ConfigLayer>& layers);

// The keys build_config understands, for --help.
std::vector<std::string> config_keys();

}  // namespace stork
