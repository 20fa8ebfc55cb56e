#include "billing/trade_bill.hpp"

#include <gtest/gtest.h>

#include <string>

#include "billing/wechat_time.hpp"

namespace stork::billing {
namespace {

// The shape of WeChat Pay's bill_type=ALL file (columns as WeChat names them).
const std::string kHeader =
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,"
    "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,"
    "退款状态,"
    "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n";
const std::string kPayment =
    "`2030-01-01 "
    "09:30:00,`wx1,`1900000001,`0,`,`4200000000000000000000000001,`ORDER0001,`o1,`MWEB,`SUCCESS,"
    "`OTHERS,`CNY,`12.50,`0.00,`0,`0,`0.00,`0.00,`,`,`挂号费，产科,`,`0.08,`0.60%,`12.50,`0.00,`\n";
const std::string kSmallPayment =
    "`2030-01-01 "
    "23:59:59,`wx1,`1900000001,`0,`,`4200000000000000000000000002,`ORDER0002,`o1,`MWEB,`SUCCESS,"
    "`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`B超,`,`0.00,`0.60%,`0.01,`0.00,`\n";
const std::string kRefund =
    "`2030-01-01 "
    "10:00:00,`wx1,`1900000001,`0,`,`4200000000000000000000000001,`ORDER0001,`o1,`MWEB,`REFUND,"
    "`OTHERS,`CNY,`0.00,`0.00,`50000000000000000000000000001,`REFUND0001,`3.33,`0.00,`ORIGINAL,`"
    "SUCCESS,"
    "`挂号费，产科,`,`0.00,`0.60%,`0.00,`3.33,`\n";
const std::string kTotalsHeader =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
    "申请退款总金额\n";

std::string bill(const std::string& rows, const std::string& totals) {
  return kHeader + rows + kTotalsHeader + totals;
}

TEST(WechatTradeBill, ReadsPaymentsAndRefundsInExactFen) {
  auto lines = parse_trade_bill(
      bill(kPayment + kSmallPayment + kRefund, "`3,`12.51,`3.33,`0.00,`0.08,`12.51,`3.33\n"), 480);
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  ASSERT_EQ(lines->size(), 3u);
  const auto& pay = (*lines)[0];
  EXPECT_EQ(pay.kind, "payment");
  EXPECT_EQ(pay.out_trade_no, "ORDER0001");
  EXPECT_EQ(pay.transaction_id, "4200000000000000000000000001");
  EXPECT_EQ(pay.amount_fen, 1250);
  EXPECT_EQ(pay.state, "SUCCESS");
  EXPECT_EQ(pay.time_ms, parse_rfc3339("2030-01-01T09:30:00+08:00"));
  EXPECT_EQ((*lines)[1].amount_fen, 1);
  const auto& refund = (*lines)[2];
  EXPECT_EQ(refund.kind, "refund");
  EXPECT_EQ(refund.out_trade_no, "ORDER0001");
  EXPECT_EQ(refund.out_refund_no, "REFUND0001");
  EXPECT_EQ(refund.refund_id, "50000000000000000000000000001");
  EXPECT_EQ(refund.amount_fen, 333);
  EXPECT_EQ(refund.state, "SUCCESS");
}

TEST(WechatTradeBill, AcceptsCrlfAndAByteOrderMark) {
  std::string text = "\xEF\xBB\xBF" + bill(kPayment, "`1,`12.50,`0.00,`0.00,`0.08,`12.50,`0.00\n");
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto lines = parse_trade_bill(crlf, 480);
  ASSERT_TRUE(lines.has_value()) << lines.error().message;
  EXPECT_EQ(lines->size(), 1u);
}

TEST(WechatTradeBill, RefusesATruncatedFile) {
  auto lines = parse_trade_bill(kHeader + kPayment, 480);
  ASSERT_FALSE(lines.has_value());
  EXPECT_EQ(lines.error().code, "gateway_unavailable");
  EXPECT_FALSE(parse_trade_bill(kHeader + kPayment + kTotalsHeader, 480).has_value());
  EXPECT_FALSE(parse_trade_bill(kHeader + kPayment.substr(0, 80), 480).has_value());
  EXPECT_FALSE(parse_trade_bill("", 480).has_value());
}

TEST(WechatTradeBill, RefusesTotalsThatDisagreeWithTheRows) {
  EXPECT_FALSE(parse_trade_bill(bill(kPayment, "`2,`12.50,`0.00,`0.00,`0.08,`12.50,`0.00\n"), 480)
                   .has_value());
  EXPECT_FALSE(parse_trade_bill(bill(kPayment, "`1,`12.50,`0.00,`0.00,`0.08,`12.49,`0.00\n"), 480)
                   .has_value());
  EXPECT_FALSE(
      parse_trade_bill(bill(kPayment + kRefund, "`2,`12.50,`3.34,`0.00,`0.08,`12.50,`3.34\n"), 480)
          .has_value());
}

TEST(WechatTradeBill, RefusesBadAmountsAndTimes) {
  std::string bad_amount = kPayment;
  bad_amount.replace(bad_amount.rfind("`12.50"), 6, "`12.5x");
  EXPECT_FALSE(parse_trade_bill(bill(bad_amount, "`1,`12.50,`0.00,`0.00,`0.08,`12.50,`0.00\n"), 480)
                   .has_value());
  std::string bad_time = kPayment;
  bad_time.replace(1, 10, "2030-13-01");
  EXPECT_FALSE(parse_trade_bill(bill(bad_time, "`1,`12.50,`0.00,`0.00,`0.08,`12.50,`0.00\n"), 480)
                   .has_value());
  EXPECT_FALSE(parse_trade_bill("商户订单号\n`ORDER0001\n", 480).has_value());  // columns missing
}

TEST(WechatTradeBill, YuanBecomeFenWithoutFloatingPoint) {
  EXPECT_EQ(parse_yuan("12.50"), 1250);
  EXPECT_EQ(parse_yuan("12.5"), 1250);
  EXPECT_EQ(parse_yuan("12"), 1200);
  EXPECT_EQ(parse_yuan("0.01"), 1);
  EXPECT_EQ(parse_yuan("0.29"), 29);  // 0.29 * 100 is 28.999... in binary floating point
  EXPECT_EQ(parse_yuan("1234567.89"), 123456789);
  for (const char* bad : {"", ".5", "1.", "1.234", "-1.00", "1e3", "1,000.00", " 1.00", "12.5x",
                          "99999999999999999.00"})
    EXPECT_FALSE(parse_yuan(bad).has_value()) << bad;
}

TEST(WechatTime, FormatsAndParsesRfc3339) {
  const int64_t ms = 1'893'456'000'000;  // 2030-01-01T00:00:00Z
  EXPECT_EQ(format_rfc3339(ms, 480), "2030-01-01T08:00:00+08:00");
  EXPECT_EQ(format_rfc3339(ms, 0), "2030-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(ms, -330), "2029-12-31T18:30:00-05:30");
  EXPECT_EQ(parse_rfc3339("2030-01-01T08:00:00+08:00"), ms);
  EXPECT_EQ(parse_rfc3339("2030-01-01T00:00:00Z"), ms);
  EXPECT_EQ(parse_rfc3339("2030-01-01T00:00:00.250Z"), ms + 250);
  EXPECT_EQ(parse_rfc3339("2029-12-31T18:30:00-05:30"), ms);
  for (const char* bad :
       {"", "2030-01-01", "2030-01-01T08:00:00", "2030-02-30T08:00:00+08:00",
        "2030-01-01T24:00:00Z", "2030-01-01T08:00:00+8:00", "2030-01-01 08:00:00+08:00",
        "2030-01-01T08:00:00.Z", "2030-01-01T08:00:00+08:00x"})
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
}

TEST(WechatTime, LocalDatetimeRoundTrips) {
  const int64_t ms = 1'893'456'000'000;
  EXPECT_EQ(format_local_datetime(ms, 480), "2030-01-01 08:00:00");
  EXPECT_EQ(parse_local_datetime("2030-01-01 08:00:00", 480), ms);
  EXPECT_EQ(local_midnight_ms({2030, 1, 1}, 480), ms - 8 * 3600 * 1000);
  EXPECT_FALSE(parse_local_datetime("2030-01-01T08:00:00", 480).has_value());
}

}  // namespace
}  // namespace stork::billing
