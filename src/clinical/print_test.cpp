#include "clinical/print.hpp"

#include <gtest/gtest.h>

#include <string>

#include "patients/qr_image.hpp"

namespace stork::clinical {
namespace {

const std::string kVerifyUrl = "https://stork.example/verify/41?code=K7Q2MZ";
const int64_t kSignedAtMs = 1795003600000;  // 2026-11-18 12:06:40 UTC, 20:06 in Beijing

bool contains(const std::string& html, std::string_view part) {
  return html.find(part) != std::string::npos;
}

size_t occurrences(const std::string& html, std::string_view part) {
  size_t n = 0;
  for (size_t at = html.find(part); at != std::string::npos; at = html.find(part, at + part.size()))
    ++n;
  return n;
}

class PrintHtml : public ::testing::Test {
 protected:
  PrintHtml() {
    document_.id = 41;
    document_.kind = DocumentKind::record;
    document_.patient_id = 7;
    document_.content = *normalize_content(
        DocumentKind::record,
        R"({"complaint":"Headache","diagnoses":[{"code":"O13","text":"Gestational hypertension"}]})");
  }

  std::string print() const {
    return print_html({document_, patient_, "5A3F09", "SM2-SM3", kVerifyUrl, 480});
  }

  void sign() {
    document_.signed_ = true;
    document_.signed_at_ms = kSignedAtMs;
    document_.signer_name = "Dr. 李娜";
    document_.content_hash = std::string(64, 'a');
  }

  Document document_;
  patients::PatientBasics patient_{"王芳", "female", "1990-03-07"};
};

TEST_F(PrintHtml, EscapesMarkupInTheContent) {
  document_.content = *normalize_content(
      DocumentKind::record,
      R"({"complaint":"<script>alert(\"x\")</script> & more","diagnoses":[{"code":"O13","text":"<b>bold</b>"}]})");
  const std::string html = print();
  EXPECT_FALSE(contains(html, "<script>"));
  EXPECT_FALSE(contains(html, "<b>bold</b>"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"))
      << html;
  EXPECT_TRUE(contains(html, "&lt;b&gt;bold&lt;/b&gt;"));
}

TEST_F(PrintHtml, EscapesThePatientsName) {
  patient_.name = "<img src=x onerror=alert(1)>";
  const std::string html = print();
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_TRUE(contains(html, "&lt;img src=x onerror=alert(1)&gt;"));
}

TEST_F(PrintHtml, CarriesAnInlineSvgQrCodeOfTheVerifyUrl) {
  const std::string html = print();
  auto qr = patients::encode_qr(kVerifyUrl);
  ASSERT_TRUE(qr.has_value());
  const std::string svg = patients::qr_svg(*qr);
  ASSERT_TRUE(contains(svg, "<svg"));
  EXPECT_TRUE(contains(html, "<div class=\"qr\">" + svg + "</div>"));
}

TEST_F(PrintHtml, ShowsTheVerifyUrlAsText) {
  EXPECT_TRUE(contains(print(), "Verify: " + kVerifyUrl));
}

TEST_F(PrintHtml, SaysDraftForAnUnsignedDocument) {
  const std::string html = print();
  EXPECT_TRUE(contains(html, "DRAFT"));
  EXPECT_FALSE(contains(html, "Signed by"));
}

TEST_F(PrintHtml, NamesTheSignerOfASignedDocument) {
  sign();
  const std::string html = print();
  EXPECT_FALSE(contains(html, "DRAFT"));
  EXPECT_TRUE(contains(html, "Signed by <b>Dr. 李娜</b> · 2026-11-18 20:06")) << html;
  EXPECT_TRUE(contains(html, "SM2-SM3 · certificate 5A3F09"));
  EXPECT_TRUE(contains(html, "SHA-256 " + std::string(64, 'a')));
}

TEST_F(PrintHtml, NamesTheReviewerOfAnApprovedPrescription) {
  sign();
  document_.kind = DocumentKind::prescription;
  document_.content = *normalize_content(
      DocumentKind::prescription,
      R"({"items":[{"drug":"Folic acid","strength":"0.4 mg","dose":1,"dose_unit":"tablet","route":"oral",)"
      R"("frequency":"qd","days":30,"quantity":30,"unit":"tablet"}]})");
  document_.review_status = "approved";
  document_.reviewer_name = "Pharmacist Zhou";
  document_.reviewed_at_ms = kSignedAtMs + 3600000;
  const std::string html = print();
  EXPECT_TRUE(contains(html, "Prescription"));
  EXPECT_TRUE(contains(html, "Reviewed by <b>Pharmacist Zhou</b> · 2026-11-18 21:06")) << html;
}

TEST_F(PrintHtml, LeavesOutTheReviewerOfARejectedPrescription) {
  sign();
  document_.review_status = "rejected";
  document_.reviewer_name = "Pharmacist Zhou";
  document_.reviewed_at_ms = kSignedAtMs + 3600000;
  EXPECT_FALSE(contains(print(), "Reviewed by"));
}

TEST_F(PrintHtml, MarksAbnormalResultRows) {
  document_.kind = DocumentKind::lab_report;
  document_.content =
      *normalize_content(DocumentKind::lab_report,
                         R"({"service":{"code":"CBC","text":"Complete blood count"},"results":[)"
                         R"({"code":"718-7","name":"Hemoglobin","value":"98","abnormal":true},)"
                         R"({"code":"6690-2","name":"Leukocytes","value":"12.6","abnormal":true},)"
                         R"({"code":"777-3","name":"Platelets","value":"210","abnormal":false}]})");
  const std::string html = print();
  EXPECT_EQ(occurrences(html, "<tr class=\"abnormal\">"), 2u);
  // The normal row follows the two abnormal ones, unmarked.
  const size_t platelets = html.find("Platelets");
  ASSERT_NE(platelets, std::string::npos);
  EXPECT_EQ(html.rfind("<tr>", platelets), html.rfind("<tr", platelets));
}

TEST_F(PrintHtml, ShowsTheVersionAndTheDocumentItReplaces) {
  document_.version = 2;
  document_.replaces = 40;
  EXPECT_TRUE(contains(print(), "No. 41 · v2 · replaces No. 40"));
}

TEST_F(PrintHtml, SurvivesUnreadableContent) {
  document_.content = "not json";
  EXPECT_TRUE(contains(print(), "(unreadable content)"));
}

}  // namespace
}  // namespace stork::clinical
