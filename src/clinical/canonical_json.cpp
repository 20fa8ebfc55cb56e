#include "clinical/canonical_json.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace stork::clinical {
namespace {

constexpr std::size_t kMaxDepth = 64;

// JSON.stringify's escaping: the two mandatory escapes, the five short
// forms, \u00xx for the remaining C0 controls, everything else verbatim
// (the parser has already checked the UTF-8).
void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// RFC 8785 sorts names by UTF-16 code units, which differs from UTF-8 byte
// order once characters beyond the BMP meet U+E000..U+FFFF. Input is valid
// UTF-8 (checked by the parser), so decoding needs no error paths.
std::u16string utf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c, extra = 0;
    } else if (c < 0xE0) {
      cp = c & 0x1F, extra = 1;
    } else if (c < 0xF0) {
      cp = c & 0x0F, extra = 2;
    } else {
      cp = c & 0x07, extra = 3;
    }
    ++i;
    for (int k = 0; k < extra && i < s.size(); ++k, ++i)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

struct Member {
  std::u16string sort_key;
  std::string name;
  std::string value;  // already canonical
};

// One open array or object. Values are rendered to canonical text as soon
// as they close, so an object only has to sort finished members.
struct Frame {
  bool is_object = false;
  bool empty = true;
  std::string array_text;
  std::vector<Member> members;
  std::string pending_key;
};

// Boost.JSON's SAX interface: it validates the syntax and UTF-8 and hands
// over unescaped strings and the raw text of each number.
class Canonicalizer {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  using ec_t = boost::json::error_code;

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) {
    stack_.push_back(Frame{});
    return true;
  }
  bool on_array_end(std::size_t, ec_t& ec) {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    return emit("[" + frame.array_text + "]", ec);
  }
  bool on_object_begin(ec_t&) {
    stack_.push_back(Frame{.is_object = true});
    return true;
  }
  bool on_object_end(std::size_t, ec_t& ec) {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    auto& members = frame.members;
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
    std::string text = "{";
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i > 0 && members[i].sort_key == members[i - 1].sort_key) {
        std::string quoted;
        append_quoted(quoted, members[i].name);
        return refuse("has the member name " + quoted + " twice", ec);
      }
      if (i > 0) text += ',';
      append_quoted(text, members[i].name);
      text += ':';
      text += members[i].value;
    }
    text += '}';
    return emit(std::move(text), ec);
  }
  bool on_key_part(std::string_view s, std::size_t, ec_t&) {
    part_ += s;
    return true;
  }
  bool on_key(std::string_view s, std::size_t, ec_t&) {
    part_ += s;
    stack_.back().pending_key = std::move(part_);
    part_.clear();
    return true;
  }
  bool on_string_part(std::string_view s, std::size_t, ec_t&) {
    part_ += s;
    return true;
  }
  bool on_string(std::string_view s, std::size_t, ec_t& ec) {
    part_ += s;
    std::string text;
    append_quoted(text, part_);
    part_.clear();
    return emit(std::move(text), ec);
  }
  bool on_number_part(std::string_view s, ec_t&) {
    number_ += s;
    return true;
  }
  bool on_int64(int64_t, std::string_view s, ec_t& ec) { return on_number(s, ec); }
  bool on_uint64(uint64_t, std::string_view s, ec_t& ec) { return on_number(s, ec); }
  bool on_double(double, std::string_view s, ec_t& ec) { return on_number(s, ec); }
  bool on_bool(bool b, ec_t& ec) { return emit(b ? "true" : "false", ec); }
  bool on_null(ec_t& ec) { return emit("null", ec); }
  bool on_comment_part(std::string_view, ec_t&) { return true; }
  bool on_comment(std::string_view, ec_t&) { return true; }

  std::string& result() { return result_; }
  const std::string& problem() const { return problem_; }

 private:
  // Every JSON number is a double to JCS, integers included: Boost's int64
  // would keep 2^53 + 1 exact where ECMAScript rounds it. The text is read
  // again with from_chars, which rounds correctly.
  bool on_number(std::string_view last, ec_t& ec) {
    number_ += last;
    const std::string text = std::move(number_);
    number_.clear();
    double value = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err == std::errc::result_out_of_range) {
      // A negative exponent can only underflow, which ECMAScript rounds to
      // zero; anything else overflowed to an infinity, which JSON cannot hold.
      const auto e = text.find_first_of("eE");
      if (e == std::string::npos || e + 1 >= text.size() || text[e + 1] != '-')
        return refuse("has the number " + text + ", beyond the range of a double", ec);
      value = 0;
    } else if (err != std::errc() || end != text.data() + text.size()) {
      return refuse("has the unreadable number " + text, ec);
    }
    auto formatted = canonical_number(value);
    if (!formatted) return refuse("has the number " + text + ", beyond the range of a double", ec);
    return emit(std::move(*formatted), ec);
  }

  bool emit(std::string text, ec_t&) {
    if (stack_.empty()) {
      result_ = std::move(text);
      return true;
    }
    Frame& top = stack_.back();
    if (top.is_object) {
      top.members.push_back({utf16(top.pending_key), std::move(top.pending_key), std::move(text)});
      top.pending_key.clear();
    } else {
      if (!top.empty) top.array_text += ',';
      top.array_text += text;
    }
    top.empty = false;
    return true;
  }

  bool refuse(std::string problem, ec_t& ec) {
    problem_ = std::move(problem);
    ec = boost::json::error::exception;
    return false;
  }

  std::vector<Frame> stack_;
  std::string part_;
  std::string number_;
  std::string result_;
  std::string problem_;
};

}  // namespace

Result<std::string> canonical_number(double value, std::string_view field) {
  if (!std::isfinite(value))
    return fail(Error::invalid(std::string(field), "has a number that is not finite"));
  if (value == 0) return std::string("0");  // -0 included, as ECMAScript prints it
  // Shortest digits that read back to the same double (nearest if several),
  // which is the digit string Number::toString asks for.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const auto e = s.find('e');
  std::string digits;
  for (const char c : s.substr(0, e))
    if (c != '.') digits += c;
  std::string_view exp_text = s.substr(e + 1);
  const bool exp_negative = exp_text.front() == '-';
  if (exp_text.front() == '-' || exp_text.front() == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  if (exp_negative) exponent = -exponent;

  // ECMA-262 Number::toString: k digits, decimal point after position n.
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> canonical_json(std::string_view json, std::string_view field) {
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::json::basic_parser<Canonicalizer> parser(options);
  boost::json::error_code ec;
  const std::size_t used = parser.write_some(false, json.data(), json.size(), ec);
  const std::string name(field);
  if (!parser.handler().problem().empty())
    return fail(Error::invalid(name, parser.handler().problem()));
  if (ec == boost::json::error::too_deep)
    return fail(Error::invalid(name, "nests arrays and objects deeper than 64 levels"));
  if (ec)
    return fail(Error::invalid(
        name, "is not valid JSON (" + ec.message() + " at byte " + std::to_string(used) + ")"));
  if (used != json.size())
    return fail(
        Error::invalid(name, "has text after the JSON value at byte " + std::to_string(used)));
  return std::move(parser.handler().result());
}

}  // namespace stork::clinical
