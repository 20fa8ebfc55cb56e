#include "paysim/checkout_page.hpp"

#include "paysim/statement.hpp"

namespace stork::paysim {
namespace {

constexpr const char* kHead = R"(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>收银台 Checkout</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f2f2f2;color:#222}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:24px;text-align:center}
.merchant{color:#666;font-size:14px}
.amount{font-size:40px;font-weight:600;margin:16px 0}
.desc{font-size:16px;margin-bottom:24px;word-break:break-all}
button{width:100%;padding:14px;font-size:18px;border:0;border-radius:8px;background:#07c160;color:#fff}
.note{color:#999;font-size:12px;margin-top:16px}
</style></head><body><main><div class="card">
)";
constexpr const char* kTail = "</div></main></body></html>\n";

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string checkout_page(const SimTrade& t, const std::string& form_action,
                          const std::string& redirect_url) {
  std::string html = kHead;
  html += "<div class=\"merchant\">模拟支付网关 Gateway simulator</div>\n";
  html += "<div class=\"amount\">¥" + format_yuan(t.amount_fen) + "</div>\n";
  html += "<div class=\"desc\">" + html_escape(t.description) + "</div>\n";
  if (t.state == "NOTPAY") {
    html += "<form method=\"post\" action=\"" + html_escape(form_action) + "\">\n";
    html += "<input type=\"hidden\" name=\"redirect_url\" value=\"" + html_escape(redirect_url) +
            "\">\n";
    html += "<button type=\"submit\">确认支付 Pay</button>\n</form>\n";
  } else if (t.state == "CLOSED") {
    html += "<div class=\"desc\">订单已关闭 This order is closed</div>\n";
  } else {
    html += "<div class=\"desc\">已支付 Already paid</div>\n";
  }
  html += "<div class=\"note\">订单号 Order " + html_escape(t.out_trade_no) + "</div>\n";
  return html + kTail;
}

std::string outcome_page(const std::string& title_zh, const std::string& title_en,
                         const std::string& detail) {
  return std::string(kHead) + "<div class=\"amount\">" + html_escape(title_zh) +
         "</div>\n<div class=\"desc\">" + html_escape(title_en) + "</div>\n<div class=\"note\">" +
         html_escape(detail) + "</div>\n" + kTail;
}

}  // namespace stork::paysim
