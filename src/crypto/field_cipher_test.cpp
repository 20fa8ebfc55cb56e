#include "crypto/field_cipher.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/random.hpp"

namespace stork::crypto {
namespace {

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

// A private temporary directory, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("stork_cipher_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Flips one bit of the raw (decoded) byte at index i of a stored value.
std::string flip_raw_byte(const std::string& stored, size_t i) {
  std::string raw;
  EXPECT_TRUE(from_base64(stored.substr(3), raw));
  raw.at(i) = static_cast<char>(raw.at(i) ^ 0x01);
  return "v1:" + base64(raw);
}

TEST(FieldCipher, RoundTripsAsciiText) {
  FieldCipher cipher(kKeyA);
  const std::string stored = cipher.encrypt("510104199001011234", "id_number");
  EXPECT_TRUE(stored.starts_with("v1:")) << stored;
  EXPECT_EQ(stored.find("510104199001011234"), std::string::npos);
  auto plain = cipher.decrypt(stored, "id_number");
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ(*plain, "510104199001011234");
}

TEST(FieldCipher, RoundTripsChineseText) {
  FieldCipher cipher(kKeyA);
  const std::string address = "四川省成都市锦江区红星路三段1号";
  auto plain = cipher.decrypt(cipher.encrypt(address, "address"), "address");
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ(*plain, address);
}

TEST(FieldCipher, RoundTripsTheEmptyString) {
  FieldCipher cipher(kKeyA);
  const std::string stored = cipher.encrypt("", "phone");
  auto plain = cipher.decrypt(stored, "phone");
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  EXPECT_EQ(*plain, "");
}

TEST(FieldCipher, RoundTripsBinaryBytesIncludingNul) {
  FieldCipher cipher(kKeyA);
  const std::string value("a\0b\xff", 4);
  auto plain = cipher.decrypt(cipher.encrypt(value, "blob"), "blob");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, value);
}

TEST(FieldCipher, UsesAFreshNonceForEveryEncryption) {
  FieldCipher cipher(kKeyA);
  const std::string first = cipher.encrypt("13812345678", "phone");
  const std::string second = cipher.encrypt("13812345678", "phone");
  EXPECT_NE(first, second);
  std::string raw_first, raw_second;
  ASSERT_TRUE(from_base64(first.substr(3), raw_first));
  ASSERT_TRUE(from_base64(second.substr(3), raw_second));
  EXPECT_NE(raw_first.substr(0, 12), raw_second.substr(0, 12));
  EXPECT_EQ(*cipher.decrypt(first, "phone"), *cipher.decrypt(second, "phone"));
}

TEST(FieldCipher, StoresNonceCiphertextAndTag) {
  FieldCipher cipher(kKeyA);
  std::string raw;
  ASSERT_TRUE(from_base64(cipher.encrypt("12345", "phone").substr(3), raw));
  EXPECT_EQ(raw.size(), 12u + 5u + 16u);
}

TEST(FieldCipher, RefusesAValueWithAFlippedByte) {
  FieldCipher cipher(kKeyA);
  const std::string stored = cipher.encrypt("13812345678", "phone");
  // Nonce, first ciphertext byte, last tag byte.
  for (size_t i : {size_t{0}, size_t{12}, size_t{12 + 11 + 15}}) {
    auto plain = cipher.decrypt(flip_raw_byte(stored, i), "phone");
    ASSERT_FALSE(plain.has_value()) << "byte " << i;
    EXPECT_EQ(plain.error().code, "decrypt_failed");
  }
}

TEST(FieldCipher, RefusesAValueCopiedIntoAnotherColumn) {
  FieldCipher cipher(kKeyA);
  const std::string stored = cipher.encrypt("13812345678", "phone");
  auto plain = cipher.decrypt(stored, "emergency_phone");
  ASSERT_FALSE(plain.has_value());
  EXPECT_EQ(plain.error().code, "decrypt_failed");
}

TEST(FieldCipher, RefusesAValueEncryptedWithAnotherKey) {
  FieldCipher a(kKeyA);
  FieldCipher b(kKeyB);
  auto plain = b.decrypt(a.encrypt("13812345678", "phone"), "phone");
  ASSERT_FALSE(plain.has_value());
  EXPECT_EQ(plain.error().code, "decrypt_failed");
}

TEST(FieldCipher, RefusesGarbage) {
  FieldCipher cipher(kKeyA);
  const std::string truncated = cipher.encrypt("13812345678", "phone").substr(0, 20);
  for (const std::string& bad :
       {std::string(), std::string("13812345678"), std::string("v1:"), std::string("v1:!!!!"),
        std::string("v2:") + base64(std::string(40, 'x')), std::string("v1:") + base64("short"),
        std::string("v1:") + base64(std::string(28, '\0')), truncated}) {
    auto plain = cipher.decrypt(bad, "phone");
    ASSERT_FALSE(plain.has_value()) << "'" << bad << "'";
    EXPECT_EQ(plain.error().code, "decrypt_failed") << "'" << bad << "'";
  }
}

TEST(FieldCipher, GivesADeterministicBlindIndex) {
  FieldCipher cipher(kKeyA);
  const std::string first = cipher.blind_index("510104199001011234", "id_number");
  EXPECT_EQ(first, cipher.blind_index("510104199001011234", "id_number"));
  EXPECT_EQ(first, FieldCipher(kKeyA).blind_index("510104199001011234", "id_number"));
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(first, cipher.blind_index("510104199001011235", "id_number"));
}

TEST(FieldCipher, GivesADifferentBlindIndexPerColumn) {
  FieldCipher cipher(kKeyA);
  EXPECT_NE(cipher.blind_index("13812345678", "phone"),
            cipher.blind_index("13812345678", "emergency_phone"));
  // The column and value are separated, so shifting bytes between them differs too.
  EXPECT_NE(cipher.blind_index("b", "a"), cipher.blind_index("", "ab"));
}

TEST(FieldCipher, GivesADifferentBlindIndexPerKey) {
  EXPECT_NE(FieldCipher(kKeyA).blind_index("13812345678", "phone"),
            FieldCipher(kKeyB).blind_index("13812345678", "phone"));
}

TEST(LoadOrCreateKey, CreatesAPrivateFileWith64HexCharacters) {
  TempDir dir;
  const std::string path = dir.file("nested/dir/stork.key");
  auto key = load_or_create_key(path);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->size(), 32u);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const std::string contents = read_all(path);
  ASSERT_EQ(contents.size(), 65u);
  EXPECT_EQ(contents.back(), '\n');
  const std::string hex = contents.substr(0, 64);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(hex, to_hex(*key));
}

TEST(LoadOrCreateKey, ReturnsTheSameKeyOnTheSecondCall) {
  TempDir dir;
  const std::string path = dir.file("stork.key");
  auto first = load_or_create_key(path);
  auto second = load_or_create_key(path);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, *second);
  // And a value encrypted with the first still decrypts with the second.
  EXPECT_EQ(*FieldCipher(*second).decrypt(FieldCipher(*first).encrypt("x", "c"), "c"), "x");
}

TEST(LoadOrCreateKey, CreatesADifferentKeyForEachNewFile) {
  TempDir dir;
  auto a = load_or_create_key(dir.file("a.key"));
  auto b = load_or_create_key(dir.file("b.key"));
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(*a, *b);
}

TEST(LoadOrCreateKey, ReadsAnExistingUpperCaseHexKey) {
  TempDir dir;
  const std::string path = dir.file("stork.key");
  std::ofstream(path) << std::string(62, '0') << "FF\n";
  auto key = load_or_create_key(path);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(*key, std::string(31, '\0') + "\xff");
}

TEST(LoadOrCreateKey, RejectsAMalformedKeyFile) {
  TempDir dir;
  for (const std::string& contents :
       {std::string(), std::string("not a key"), std::string(63, 'a'), std::string(66, 'a'),
        std::string(63, 'a') + "g"}) {
    const std::string path = dir.file("bad.key");
    std::ofstream(path, std::ios::trunc) << contents;
    auto key = load_or_create_key(path);
    ASSERT_FALSE(key.has_value()) << "'" << contents << "'";
    EXPECT_EQ(key.error().code, "validation_failed");
    ASSERT_EQ(key.error().fields.size(), 1u);
    EXPECT_EQ(key.error().fields[0].field, "key_file");
    EXPECT_EQ(read_all(path), contents);  // never overwritten
  }
}

TEST(Masking, MasksAnIdNumberKeepingRegionAndCheckDigits) {
  EXPECT_EQ(mask_id_number("510104199001011234"), "5101**********1234");
  EXPECT_EQ(mask_id_number("51010419900101123X"), "5101**********123X");
}

TEST(Masking, MasksAShortIdNumberFully) {
  EXPECT_EQ(mask_id_number(""), "");
  EXPECT_EQ(mask_id_number("1234"), "****");
  EXPECT_EQ(mask_id_number("12345678"), "********");
  EXPECT_EQ(mask_id_number("123456789"), "1234*6789");
}

TEST(Masking, MasksTheMiddleOfAPhoneNumber) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("02887654321"), "028****4321");
}

TEST(Masking, MasksAShortPhoneFully) {
  EXPECT_EQ(mask_phone(""), "");
  EXPECT_EQ(mask_phone("120"), "***");
  EXPECT_EQ(mask_phone("123456"), "******");
}

// Regression: a 7-digit local number passed through unmasked (3 kept + 4 kept).
TEST(Masking, NeverShowsASevenDigitPhoneInFull) {
  const std::string masked = mask_phone("8765432");
  EXPECT_EQ(masked.size(), 7u);
  EXPECT_NE(masked, "8765432");
  EXPECT_NE(masked.find('*'), std::string::npos) << masked;
}

TEST(Masking, MasksTheMiddleOfAChineseName) {
  EXPECT_EQ(mask_name("张小丽"), "张*丽");
  EXPECT_EQ(mask_name("欧阳娜娜"), "欧**娜");
}

TEST(Masking, MasksTheGivenNameOfATwoCharacterName) { EXPECT_EQ(mask_name("王芳"), "王*"); }

TEST(Masking, HandlesShortAndLatinNames) {
  EXPECT_EQ(mask_name(""), "");
  EXPECT_EQ(mask_name("王"), "王");
  EXPECT_EQ(mask_name("Li"), "L*");
  EXPECT_EQ(mask_name("Anna"), "A**a");
}

TEST(Masking, NeverCutsAMultiByteCharacter) {
  // "𠮷" is a 4-byte UTF-8 character.
  EXPECT_EQ(mask_name("𠮷野家"), "𠮷*家");
}

}  // namespace
}  // namespace stork::crypto
