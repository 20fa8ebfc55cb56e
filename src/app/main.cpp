// stork: the Stork server and its maintenance commands.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/app.hpp"
#include "app/cli.hpp"
#include "app/open_database.hpp"
#include "app/payment_gateway.hpp"
#include "app/keys_command.hpp"
#include "app/seed_demo.hpp"
#include "core/log.hpp"
#include "http/routes/routes.hpp"
#include <boost/json/serialize.hpp>
#include "paysim/sim_command.hpp"

extern char** environ;

namespace stork::app {
namespace {

constexpr const char* kUsage = R"(stork — smart outpatient platform for maternity and children's hospitals

Usage: stork <command> [flags]

Commands:
  serve          run the HTTP/WebSocket API and the web app
  migrate        apply pending database migrations
  seed-demo      create the demo hospital and one demo account per role
  audit verify   check the audit log's hash chain
  gateway-sim    run a local WeChat-Pay-style payment gateway (development and tests)
  keys ...       the hospital CA and doctors' signing keys (`stork keys --help`)
  verify FILE --ca CA.pem
                 check an exported signed document offline (exit 0 valid, 1 not)
  billing reconcile [--date YYYY-MM-DD]
                 compare the ledger with the gateway's statement for a day (default today)

Run `stork <command> --help` for the command's flags.
)";

constexpr const char* kCommonFlags = R"(
Configuration (flags win over STORK_<KEY> environment variables, which win
over the --config FILE of `key = value` lines):
  --config FILE              configuration file (or STORK_CONFIG)
  --db URL                   sqlite:PATH (default sqlite:var/stork.db) or postgresql://...
  --db-pool-size N           database connections (default 8)
)";

constexpr const char* kServeFlags = R"(  --listen ADDR              address to bind (default 127.0.0.1)
  --port N                   port (default 8080; 0 picks a free one)
  --web-root DIR             built web app (default web/dist)
  --key-file PATH            field-encryption key, created if missing (default var/stork.key)
  --tls-cert PATH --tls-key PATH   serve HTTPS
  --io-threads N --worker-threads N
  --io-model per_core|shared  one io_context per I/O thread (default) or one shared by all
  --max-connections N        (default 10000)
  --max-body-bytes N         (default 1048576)
  --max-header-bytes N       (default 8192)
  --read-timeout-ms N        a request must arrive whole within this (default 10000)
  --idle-timeout-ms N        keep-alive idle limit (default 60000)
  --token-ttl-minutes N      staff session length (default 480)
  --login-max-failures N --login-lock-minutes N
  --access-log true|false    one JSON line per request on stderr (default true)
  --payment-gateway simulator|wechatpay
                             simulator (default): also run the local gateway simulator
  --gateway-sim-port N       the simulator's port (default 8090; 0 picks a free one)
  --wechatpay-url URL --wechatpay-mchid ID --wechatpay-platform-cert PATH --wechatpay-apiv3-key-file PATH
  --payment-window-minutes N an unpaid online booking holds its ticket this long (default 15)
  --public-url URL           how the gateway and browsers reach this server
)";

int usage_error(const Error& e) {
  std::fprintf(stderr, "stork: %s\n", e.message.c_str());
  return 2;
}

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost" ||
         address.starts_with("127.");
}

int cmd_serve(const Config& config) {
  // Block the stop signals before any thread starts, so every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const auto started = std::chrono::steady_clock::now();
  SystemClock clock;
  auto app = App::create(config, clock);
  if (!app) {
    log::error("cannot start", {{"code", app.error().code}, {"error", app.error().message}});
    return 1;
  }
  if (auto demo = (*app)->services().auth.demo_accounts_exist(); demo && *demo && !is_loopback(config.listen))
    log::warn("demo accounts with the published password exist and the server listens on a "
              "non-loopback address; disable them before real use",
              {{"listen", config.listen}});
  if (config.payment_gateway == "simulator" && !is_loopback(config.listen))
    log::warn("payments go to the local gateway simulator, where anyone on this machine can 'pay'; "
              "set payment_gateway = wechatpay before real use",
              {{"listen", config.listen}});
  if (auto s = (*app)->start(); !s) {
    log::error("cannot start", {{"code", s.error().code}, {"error", s.error().message}});
    return 1;
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log::info("listening", {{"address", config.listen},
                          {"port", static_cast<int>((*app)->port())},
                          {"database", config.db.starts_with("postgres") ? std::string("postgresql") : config.db},
                          {"tls", std::string(config.tls_cert.empty() ? "off" : "on")},
                          {"startup_ms", ms}});
  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::info("stopping: draining requests in flight", {{"signal", signal}});
  (*app)->stop(std::chrono::seconds(30));
  (*app)->wait();
  app->reset();  // closes the database
  log::info("stopped");
  return 0;
}

int cmd_migrate(const Config& config) {
  auto db = open_database(config.db, 1);
  if (!db) return usage_error(db.error());
  SystemClock clock;
  const auto migrations = all_migrations();
  auto report = store::migrate(**db, migrations, clock);
  if (!report) {
    std::fprintf(stderr, "stork migrate: %s\n", report.error().message.c_str());
    return 1;
  }
  for (const auto& id : report->applied) std::printf("applied %s\n", id.c_str());
  std::printf("%zu applied, %d already applied\n", report->applied.size(), report->already_applied);
  return 0;
}

int cmd_seed_demo(const Config& config) {
  auto db = open_database(config.db, 1);
  if (!db) return usage_error(db.error());
  SystemClock clock;
  const auto migrations = all_migrations();
  if (auto m = store::migrate(**db, migrations, clock); !m) {
    std::fprintf(stderr, "stork seed-demo: %s\n", m.error().message.c_str());
    return 1;
  }
  auto services = make_services(**db, clock, config);
  if (!services) {
    std::fprintf(stderr, "stork seed-demo: %s\n", services.error().message.c_str());
    return 1;
  }
  SeedOptions options;
  options.clinical_key_file = config.key_file;
  auto report = seed_demo(**services, options);
  if (!report) {
    std::fprintf(stderr, "stork seed-demo: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf("demo hospital: %s\n", report->directory_created ? "created" : "already present");
  if (report->schedule_templates_created > 0)
    std::printf("demo schedules: %d weekly templates, sessions for the next 14 days\n",
                report->schedule_templates_created);
  if (report->fees_created > 0) std::printf("demo fee catalogue: %d fees\n", report->fees_created);
  if (report->signing_created)
    std::printf("demo signing: hospital CA (key file PIN '%s'), doctor and pharmacist keys with PIN 123456\n",
                kDemoCaPin);
  if (report->patients_created > 0)
    std::printf("demo patients: %d created (demo mother's phone %s)\n", report->patients_created, kDemoMotherPhone);
  if (report->accounts_created.empty()) {
    std::printf("demo accounts: already present\n");
  } else {
    std::printf("demo accounts (DEMO ONLY — password '%s'):\n", kDemoPassword);
    for (const auto& u : report->accounts_created) std::printf("  %s\n", u.c_str());
  }
  return 0;
}

// Prints the reconciliation as JSON (the same document as the manager's
// page) and exits 1 when there is any mismatch, so a cron job can alert.
int cmd_billing_reconcile(const Config& config, const std::string& date) {
  auto db = open_database(config.db, 1);
  if (!db) return usage_error(db.error());
  SystemClock clock;
  auto gateway = make_gateway(config, clock, false);
  if (!gateway) return usage_error(gateway.error());
  auto services = make_services(**db, clock, config, {}, std::move(gateway->gateway));
  if (!services) return usage_error(services.error());
  auto rec = (*services)->billing.reconcile(date);
  if (!rec) {
    std::fprintf(stderr, "stork billing reconcile: %s\n", rec.error().message.c_str());
    return rec.error().code == "validation_failed" ? 2 : 1;
  }
  std::printf("%s\n", boost::json::serialize(http::reconciliation_json(*rec)).c_str());
  std::fprintf(stderr, "%zu mismatches for %s\n", rec->mismatches.size(), rec->date.c_str());
  return rec->mismatches.empty() ? 0 : 1;
}

int cmd_audit_verify(const Config& config) {
  auto db = open_database(config.db, 1);
  if (!db) return usage_error(db.error());
  SystemClock clock;
  auth::AuditLog audit(clock);
  auto report = audit.verify(**db);
  if (!report) {
    std::fprintf(stderr, "stork audit verify: %s\n", report.error().message.c_str());
    return 1;
  }
  if (report->ok) {
    std::printf("audit log intact: %lld entries verified\n", static_cast<long long>(report->checked));
    return 0;
  }
  std::printf("audit log BROKEN at entry %lld: %s\n",
              static_cast<long long>(report->first_broken_id.value_or(0)), report->reason.c_str());
  return 1;
}

}  // namespace

int main_impl(int argc, char** argv) {
  auto cli = parse_command_line(argc, argv);
  if (!cli) return usage_error(cli.error());
  const auto& cmd = cli->command;
  const std::string name = cmd.empty() ? "" : cmd[0] + (cmd.size() > 1 ? " " + cmd[1] : "");
  if (cmd.empty()) {
    std::fputs(kUsage, cli->help ? stdout : stderr);
    return cli->help ? 0 : 2;
  }
  if (cli->help && cmd[0] == "gateway-sim") {
    std::printf("Usage: stork gateway-sim [flags]\n%s", paysim::kGatewaySimFlags);
    return 0;
  }
  if (cli->help && cmd[0] == "keys") {
    std::fputs(kKeysUsage, stdout);
    return 0;
  }
  if (cli->help) {
    std::printf("Usage: stork %s [flags]\n%s", name.c_str(), kCommonFlags);
    if (cmd[0] == "serve") std::fputs(kServeFlags, stdout);
    return 0;
  }
  // The simulator is not the server: it has its own flags and no database.
  if (cmd[0] == "gateway-sim" && cmd.size() == 1) return paysim::run_gateway_sim(cli->flags);
  if (cmd[0] == "verify") return cmd_verify(cmd, cli->flags);
  // Command arguments that are not configuration.
  KeysArgs keys_args = take_keys_args(cli->flags);
  std::string date;
  if (auto it = cli->flags.find("date"); it != cli->flags.end()) {
    date = it->second;
    cli->flags.erase(it);
  }
  auto config = load_config(*cli, environ);
  if (!config) return usage_error(config.error());
  if (cmd[0] == "serve" && cmd.size() == 1) return cmd_serve(*config);
  if (cmd[0] == "migrate" && cmd.size() == 1) return cmd_migrate(*config);
  if (cmd[0] == "seed-demo" && cmd.size() == 1) return cmd_seed_demo(*config);
  if (cmd[0] == "keys") return cmd_keys(*config, cmd, keys_args);
  if (cmd[0] == "audit" && cmd.size() == 2 && cmd[1] == "verify") return cmd_audit_verify(*config);
  if (cmd[0] == "billing" && cmd.size() == 2 && cmd[1] == "reconcile") return cmd_billing_reconcile(*config, date);
  std::fprintf(stderr, "stork: unknown command '%s'\n\n%s", name.c_str(), kUsage);
  return 2;
}

}  // namespace stork::app

int main(int argc, char** argv) {
  try {
    return stork::app::main_impl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stork: fatal: %s\n", e.what());
    return 1;
  }
}
