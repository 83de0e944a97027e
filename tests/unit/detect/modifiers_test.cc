// Every value modifier, wildcard/escape semantics, case handling, null and arrays.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "test_util.h"

namespace sekimori::detect {
namespace {

using testing::error_code;
using testing::m;
using testing::rule_doc;

std::string sel(const std::string& item) { return "  sel:\n    " + item + "\n  condition: sel\n"; }

TEST(Match, PlainValuesAreCaseInsensitiveExact) {
  EXPECT_TRUE(m(sel("eventName: StopLogging"), R"({"eventName":"stoplogging"})"));
  EXPECT_FALSE(m(sel("eventName: StopLogging"), R"({"eventName":"StopLoggingX"})"));
  EXPECT_FALSE(m(sel("eventName: StopLogging"), R"({"other":"StopLogging"})"));
  EXPECT_TRUE(m(sel("eventName: [A, B, C]"), R"({"eventName":"b"})"));
  EXPECT_TRUE(m(sel("eventName: ''"), R"({"eventName":""})"));
  EXPECT_FALSE(m(sel("eventName: ''"), R"({})"));
}

TEST(Match, Wildcards) {
  EXPECT_TRUE(m(sel("f: 'ab*'"), R"({"f":"ABC"})"));
  EXPECT_TRUE(m(sel("f: '*bc'"), R"({"f":"abc"})"));
  EXPECT_TRUE(m(sel("f: '*b*'"), R"({"f":"abc"})"));
  EXPECT_TRUE(m(sel("f: 'a?c'"), R"({"f":"abc"})"));
  EXPECT_FALSE(m(sel("f: 'a?c'"), R"({"f":"ac"})"));
  EXPECT_TRUE(m(sel("f: 'a*c*e'"), R"({"f":"abcde"})"));
  EXPECT_FALSE(m(sel("f: 'a*c*e'"), R"({"f":"abcdef"})"));
  EXPECT_TRUE(m(sel("f: '*'"), R"({"f":""})"));
  EXPECT_FALSE(m(sel("f: '*'"), R"({"f":null})"));
  EXPECT_TRUE(m(sel("f: 'a?'"), R"({"f":"aé"})"));  // ? is one character, not one byte
  EXPECT_TRUE(m(sel("f: '*a*a'"), R"({"f":"aaa"})"));
  EXPECT_TRUE(m(sel("f: 'a*?'"), R"({"f":"ab"})"));
  EXPECT_FALSE(m(sel("f: 'a*?'"), R"({"f":"a"})"));
}

TEST(Match, Escapes) {
  // \* and \? are literal, \\ is one backslash, other backslashes are literal
  EXPECT_TRUE(m(sel(R"(f: 'a\*b')"), R"({"f":"a*b"})"));
  EXPECT_FALSE(m(sel(R"(f: 'a\*b')"), R"({"f":"axb"})"));
  EXPECT_TRUE(m(sel(R"(f: 'a\?')"), R"({"f":"a?"})"));
  EXPECT_FALSE(m(sel(R"(f: 'a\?')"), R"({"f":"ab"})"));
  EXPECT_TRUE(m(sel(R"(f: 'C:\Windows\*')"), R"({"f":"C:\\Windows*"})"));  // \* is a literal star
  EXPECT_FALSE(m(sel(R"(f: 'C:\Windows\*')"), R"({"f":"C:\\Windows\\x.exe"})"));
  EXPECT_TRUE(m(sel(R"(f: 'C:\Windows\\*')"), R"({"f":"C:\\Windows\\x.exe"})"));
  EXPECT_TRUE(m(sel(R"(f: 'a\\*')"), R"({"f":"a\\bcd"})"));   // \\ then wildcard
  EXPECT_FALSE(m(sel(R"(f: 'a\\*')"), R"({"f":"abcd"})"));
  EXPECT_TRUE(m(sel(R"(f: 'a\\\*')"), R"({"f":"a\\*"})"));   // \\ then literal *
  EXPECT_TRUE(m(sel(R"(f|contains: '\*')"), R"({"f":"x*y"})"));
  EXPECT_TRUE(m(sel(R"(f: 'trail\')"), R"({"f":"trail\\"})"));
}

TEST(Match, NonAsciiCaseFolding) {
  EXPECT_TRUE(m(sel("f: 'ÄBC'"), R"({"f":"äbc"})"));
  EXPECT_FALSE(m(sel("f|cased: 'ÄBC'"), R"({"f":"äbc"})"));
}

TEST(Match, ContainsStartsEnds) {
  EXPECT_TRUE(m(sel("f|contains: LOG"), R"({"f":"StopLogging"})"));
  EXPECT_TRUE(m(sel("f|startswith: stop"), R"({"f":"StopLogging"})"));
  EXPECT_FALSE(m(sel("f|startswith: log"), R"({"f":"StopLogging"})"));
  EXPECT_TRUE(m(sel("f|endswith: GING"), R"({"f":"StopLogging"})"));
  EXPECT_TRUE(m(sel("f|contains: 'a*c'"), R"({"f":"xxabbcxx"})"));
  EXPECT_TRUE(m(sel("f|startswith: 'a?c'"), R"({"f":"abcd"})"));
  EXPECT_EQ(error_code(rule_doc(sel("f|contains|startswith: x"))), "sigma.modifier_combination");
}

TEST(Match, AllAndLists) {
  EXPECT_TRUE(m(sel("f|contains|all: [a, b]"), R"({"f":"xaxbx"})"));
  EXPECT_FALSE(m(sel("f|contains|all: [a, z]"), R"({"f":"xaxbx"})"));
  EXPECT_TRUE(m(sel("f|contains: [a, z]"), R"({"f":"xaxbx"})"));
  // a list field matches when any element matches; with all each value may use another element
  EXPECT_TRUE(m(sel("f: b"), R"({"f":["a","b"]})"));
  EXPECT_TRUE(m(sel("f|all: [a, b]"), R"({"f":["a","b"]})"));
  EXPECT_FALSE(m(sel("f|all: [a, c]"), R"({"f":["a","b"]})"));
  auto c = testing::compile(rule_doc(sel("f|all: a")));
  EXPECT_TRUE(c->has_code("sigma.all_single_value"));
}

TEST(Match, Cased) {
  EXPECT_TRUE(m(sel("f|cased: Abc"), R"({"f":"Abc"})"));
  EXPECT_FALSE(m(sel("f|cased: Abc"), R"({"f":"abc"})"));
  EXPECT_TRUE(m(sel("f|contains|cased: Bc"), R"({"f":"ABcD"})"));
  EXPECT_FALSE(m(sel("f|contains|cased: bc"), R"({"f":"ABCD"})"));
}

TEST(Match, NullMeansAbsentOrNull) {
  EXPECT_TRUE(m(sel("f: null"), R"({"g":1})"));
  EXPECT_TRUE(m(sel("f: null"), R"({"f":null})"));
  EXPECT_FALSE(m(sel("f: null"), R"({"f":""})"));
  EXPECT_FALSE(m(sel("f: null"), R"({"f":{}})"));
  EXPECT_TRUE(m(sel("a.b: null"), R"({"a":{"c":1}})"));
  EXPECT_FALSE(m(sel("f: null"), R"({"f":"x"})"));
  EXPECT_TRUE(m("  sel:\n    f: null\n  condition: not sel\n", R"({"f":"x"})"));
  EXPECT_EQ(error_code(rule_doc(sel("f|contains: null"))), "sigma.value_type");
}

TEST(Match, Exists) {
  EXPECT_TRUE(m(sel("f|exists: true"), R"({"f":null})"));  // present, even if null
  EXPECT_TRUE(m(sel("f|exists: true"), R"({"f":""})"));
  EXPECT_FALSE(m(sel("f|exists: true"), R"({"g":1})"));
  EXPECT_TRUE(m(sel("f|exists: false"), R"({"g":1})"));
  EXPECT_TRUE(m(sel("a.b|exists: true"), R"({"a":{"b":{"c":1}}})"));
  EXPECT_EQ(error_code(rule_doc(sel("f|exists: yes please"))), "sigma.value_type");
  EXPECT_EQ(error_code(rule_doc(sel("f|exists|contains: true"))), "sigma.modifier_combination");
}

TEST(Match, Regex) {
  EXPECT_TRUE(m(sel("f|re: '^arn:aws:iam::\\d+:root$'"), R"({"f":"arn:aws:iam::123:root"})"));
  EXPECT_TRUE(m(sel("f|re: 'b.d'"), R"({"f":"abcde"})"));  // unanchored search
  EXPECT_FALSE(m(sel("f|re: 'ABC'"), R"({"f":"abc"})"));   // case-sensitive by default
  EXPECT_TRUE(m(sel("f|re|i: 'ABC'"), R"({"f":"abc"})"));
  EXPECT_FALSE(m(sel("f|re: '^b$'"), R"({"f":"a\nb"})"));
  EXPECT_TRUE(m(sel("f|re|m: '^b$'"), R"({"f":"a\nb"})"));
  EXPECT_FALSE(m(sel("f|re: 'a.b'"), R"({"f":"a\nb"})"));
  EXPECT_TRUE(m(sel("f|re|s: 'a.b'"), R"({"f":"a\nb"})"));
  EXPECT_TRUE(m(sel("f|re: '^12'"), R"({"f":123})"));
  EXPECT_EQ(error_code(rule_doc(sel("f|re: '(a'"))), "sigma.invalid_regex");
  EXPECT_EQ(error_code(rule_doc(sel("f|re: '(?=a)'"))), "sigma.invalid_regex");  // RE2: no lookaround
  EXPECT_EQ(error_code(rule_doc(sel("f|i: 'a'"))), "sigma.modifier_combination");
  EXPECT_EQ(error_code(rule_doc(sel("f|re|contains: 'a'"))), "sigma.modifier_combination");
}

// A regex's required literals rule values out before RE2 runs; these cases check that the
// shortcut never changes an answer.
TEST(Match, RegexLiteralsOnlyRuleOutWhatCannotMatch) {
  const std::string arn = "f|re: '.+:assumed-role/aws:.+'";
  EXPECT_TRUE(m(sel(arn), R"({"f":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"})"));
  EXPECT_FALSE(m(sel(arn), R"({"f":"arn:aws:sts::1:assumed-role/app/i-1"})"));
  // the literal is there (case ignored), RE2 says no
  EXPECT_FALSE(m(sel(arn), R"({"f":"arn:aws:sts::1:ASSUMED-ROLE/aws:x"})"));
  EXPECT_FALSE(m(sel(arn), R"({"f":"ab"})"));                                  // shorter than the literal
  // alternatives: neither branch's literal is required on its own
  EXPECT_TRUE(m(sel("f|re: 'createuser|deleteuser'"), R"({"f":"x deleteuser y"})"));
  EXPECT_TRUE(m(sel("f|re: 'createuser|deleteuser'"), R"({"f":"createuser"})"));
  EXPECT_FALSE(m(sel("f|re: 'createuser|deleteuser'"), R"({"f":"updateuser"})"));
  // case-insensitive: the value's case does not matter, ASCII or not (RE2 folds the Kelvin
  // sign U+212A to k, which a byte-wise literal check would miss)
  EXPECT_TRUE(m(sel("f|re|i: 'kelvin'"), R"({"f":"KELVIN"})"));
  EXPECT_TRUE(m(sel("f|re|i: 'kelvin'"), "{\"f\":\"\xE2\x84\xAA" "elvin\"}"));
  EXPECT_FALSE(m(sel("f|re: 'kelvin'"), "{\"f\":\"\xE2\x84\xAA" "elvin\"}"));
  EXPECT_TRUE(m(sel("f|re: '(?i)kelvin'"), "{\"f\":\"\xE2\x84\xAA" "elvin\"}"));
  // long values are searched another way (a lower-cased copy): the same answers
  const std::string pad(400, 'x');
  EXPECT_TRUE(m(sel(arn), "{\"f\":\"" + pad + ":assumed-role/aws:" + pad + "\"}"));
  EXPECT_FALSE(m(sel(arn), "{\"f\":\"" + pad + ":ASSUMED-role/aws:" + pad + "\"}"));
  EXPECT_FALSE(m(sel("f|re: ':assumed-role/aws:'"), "{\"f\":\"" + pad + ":assumed-role/awz:" + pad + "\"}"));
  EXPECT_TRUE(m(sel("f|re|i: ':assumed-role/aws:'"), "{\"f\":\"" + pad + ":ASSUMED-ROLE/AWS:" + pad + "\"}"));
  // a literal in a required group, and a number rendered as text
  EXPECT_TRUE(m(sel("f|re: '^(abc|abd)xyz$'"), R"({"f":"abdxyz"})"));
  EXPECT_FALSE(m(sel("f|re: '^(abc|abd)xyz$'"), R"({"f":"abdxy"})"));
  EXPECT_TRUE(m(sel("f|re: '12345'"), R"({"f":9912345})"));
}

TEST(Match, Cidr) {
  EXPECT_TRUE(m(sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"10.1.2.3"})"));
  EXPECT_FALSE(m(sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"11.1.2.3"})"));
  EXPECT_TRUE(m(sel("ip|cidr: ['192.168.0.0/16', '172.16.0.0/12']"), R"({"ip":"172.20.0.1"})"));
  EXPECT_TRUE(m(sel("ip|cidr: '2001:db8::/32'"), R"({"ip":"2001:db8::1"})"));
  EXPECT_FALSE(m(sel("ip|cidr: '2001:db8::/32'"), R"({"ip":"2001:db9::1"})"));
  EXPECT_FALSE(m(sel("ip|cidr: 10.0.0.0/8"), R"({"ip":"AWS Internal"})"));
  EXPECT_TRUE(m(sel("ip|cidr: 1.2.3.4"), R"({"ip":"1.2.3.4"})"));
  EXPECT_TRUE(m(sel("ip|cidr: 10.0.0.0/9"), R"({"ip":"10.127.0.1"})"));
  EXPECT_FALSE(m(sel("ip|cidr: 10.0.0.0/9"), R"({"ip":"10.128.0.1"})"));
  EXPECT_EQ(error_code(rule_doc(sel("ip|cidr: 10.0.0.0/33"))), "sigma.cidr");
  EXPECT_EQ(error_code(rule_doc(sel("ip|cidr: nonsense"))), "sigma.cidr");
}

TEST(Match, NumbersAndComparisons) {
  EXPECT_TRUE(m(sel("n: 5"), R"({"n":5})"));
  EXPECT_TRUE(m(sel("n: 5"), R"({"n":5.0})"));
  EXPECT_TRUE(m(sel("n: 5"), R"({"n":"5"})"));
  EXPECT_FALSE(m(sel("n: 5"), R"({"n":50})"));
  EXPECT_TRUE(m(sel("n|gt: 5"), R"({"n":6})"));
  EXPECT_FALSE(m(sel("n|gt: 5"), R"({"n":5})"));
  EXPECT_TRUE(m(sel("n|gte: 5"), R"({"n":5})"));
  EXPECT_TRUE(m(sel("n|lt: 5"), R"({"n":"4.5"})"));
  EXPECT_TRUE(m(sel("n|lte: 5"), R"({"n":5})"));
  EXPECT_FALSE(m(sel("n|lte: 5"), R"({"n":"x"})"));
  EXPECT_TRUE(m(sel("b: true"), R"({"b":true})"));
  EXPECT_FALSE(m(sel("b: true"), R"({"b":false})"));
  EXPECT_TRUE(m(sel("v: 1.10"), R"({"v":"1.10"})"));  // numbers keep their spelling
  EXPECT_EQ(error_code(rule_doc(sel("n|gt: abc"))), "sigma.value_type");
  EXPECT_EQ(error_code(rule_doc(sel("n|gt|contains: 1"))), "sigma.modifier_combination");
}

TEST(Match, Neq) {
  EXPECT_TRUE(m(sel("f|neq: a"), R"({"f":"b"})"));
  EXPECT_FALSE(m(sel("f|neq: a"), R"({"f":"A"})"));
  EXPECT_FALSE(m(sel("f|neq: a"), R"({"g":"b"})"));  // absent is not "different"
  EXPECT_FALSE(m(sel("f|neq: [a, b]"), R"({"f":"b"})"));
  EXPECT_TRUE(m(sel("f|neq: [a, b]"), R"({"f":"c"})"));
  EXPECT_TRUE(m(sel("n|neq: 5"), R"({"n":6})"));
}

TEST(Match, TimeModifiers) {
  const char* ev = R"({"t":"2024-07-31T13:06:24Z"})";
  EXPECT_TRUE(m(sel("t|hour: 13"), ev));
  EXPECT_TRUE(m(sel("t|minute: 6"), ev));
  EXPECT_TRUE(m(sel("t|day: 31"), ev));
  EXPECT_TRUE(m(sel("t|month: 7"), ev));
  EXPECT_TRUE(m(sel("t|year: 2024"), ev));
  EXPECT_TRUE(m(sel("t|week: 31"), ev));
  EXPECT_TRUE(m(sel("t|hour|gte: 12"), ev));
  EXPECT_FALSE(m(sel("t|hour|lt: 12"), ev));
  EXPECT_FALSE(m(sel("t|hour: 13"), R"({"t":"not a date"})"));
  // ISO weeks across year ends: 2021-01-01 is in week 53 of 2020, 2024-12-30 in week 1 of 2025
  EXPECT_TRUE(m(sel("t|week: 53"), R"({"t":"2021-01-01T00:00:00Z"})"));
  EXPECT_TRUE(m(sel("t|week: 1"), R"({"t":"2024-12-30T00:00:00Z"})"));
  EXPECT_TRUE(m(sel("t|week: 52"), R"({"t":"2023-01-01T12:00:00Z"})"));
  // before the epoch: the last second of 1969 (a Wednesday in week 1 of 1970)
  const char* before = R"({"t":"1969-12-31T23:59:59.500Z"})";
  EXPECT_TRUE(m(sel("t|year: 1969"), before));
  EXPECT_TRUE(m(sel("t|month: 12"), before));
  EXPECT_TRUE(m(sel("t|day: 31"), before));
  EXPECT_TRUE(m(sel("t|hour: 23"), before));
  EXPECT_TRUE(m(sel("t|minute: 59"), before));
  EXPECT_TRUE(m(sel("t|week: 1"), before));
}

TEST(Match, FieldRef) {
  EXPECT_TRUE(m(sel("a|fieldref: b"), R"({"a":"X","b":"x"})"));
  EXPECT_FALSE(m(sel("a|fieldref: b"), R"({"a":"X","b":"y"})"));
  EXPECT_FALSE(m(sel("a|fieldref: b"), R"({"a":"X"})"));
  EXPECT_FALSE(m(sel("a|fieldref|cased: b"), R"({"a":"X","b":"x"})"));
  EXPECT_TRUE(m(sel("a|fieldref|contains: b"), R"({"a":"user-alice-1","b":"ALICE"})"));
  EXPECT_TRUE(m(sel("a|fieldref|startswith: b"), R"({"a":"alice-1","b":"alice"})"));
  EXPECT_TRUE(m(sel("a|fieldref|endswith: b"), R"({"a":"1-alice","b":"alice"})"));
  EXPECT_TRUE(m(sel("a|fieldref|neq: b"), R"({"a":"x","b":"y"})"));
  EXPECT_TRUE(m(sel("userIdentity.userName|fieldref: requestParameters.userName"),
                R"({"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"bob"}})"));
  // the referenced value is literal: a * in it is not a wildcard
  EXPECT_FALSE(m(sel("a|fieldref: b"), R"({"a":"abc","b":"a*"})"));
}

TEST(Match, Base64) {
  std::string enc = core::base64_encode("secret cmd");
  EXPECT_TRUE(m(sel("f|base64: 'secret cmd'"), "{\"f\":\"" + enc + "\"}"));
  EXPECT_TRUE(m(sel("f|base64|contains: 'cmd'"), "{\"f\":\"xx" + core::base64_encode("cmd") + "yy\"}"));
  // base64 output is matched case-sensitively
  std::string lower = enc;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_FALSE(m(sel("f|base64: 'secret cmd'"), "{\"f\":\"" + lower + "\"}"));
  EXPECT_EQ(error_code(rule_doc(sel("f|base64: 'a*'"))), "sigma.encoding_wildcard");
  EXPECT_EQ(error_code(rule_doc(sel("f|base64|base64offset: 'a'"))), "sigma.modifier_combination");
}

TEST(Match, Base64OffsetFindsTheValueAtEveryAlignment) {
  for (const char* prefix : {"", "x", "xy", "xyz", "wxyz"}) {
    for (const char* suffix : {"", "!", "!!", "!!!"}) {
      std::string text = std::string(prefix) + "Invoke-Mimikatz" + suffix;
      std::string enc = core::base64_encode(text);
      EXPECT_TRUE(m(sel("f|base64offset|contains: 'Invoke-Mimikatz'"), "{\"f\":\"" + enc + "\"}"))
          << prefix << "/" << suffix;
    }
  }
  EXPECT_FALSE(m(sel("f|base64offset|contains: 'Invoke-Mimikatz'"),
                 "{\"f\":\"" + core::base64_encode("something else entirely") + "\"}"));
}

TEST(Match, Utf16Encodings) {
  auto u16 = [](const std::string& s, bool be, bool bom) {
    std::string out;
    if (bom) out += std::string("\xFF\xFE", 2);
    for (char c : s) {
      if (be) out += std::string(1, '\0') + c;
      else out += std::string(1, c) + std::string(1, '\0');
    }
    return core::base64_encode(out);
  };
  EXPECT_TRUE(m(sel("f|wide|base64: cmd"), "{\"f\":\"" + u16("cmd", false, false) + "\"}"));
  EXPECT_TRUE(m(sel("f|utf16le|base64: cmd"), "{\"f\":\"" + u16("cmd", false, false) + "\"}"));
  EXPECT_TRUE(m(sel("f|utf16be|base64: cmd"), "{\"f\":\"" + u16("cmd", true, false) + "\"}"));
  EXPECT_TRUE(m(sel("f|utf16|base64: cmd"), "{\"f\":\"" + u16("cmd", false, true) + "\"}"));
  EXPECT_TRUE(m(sel("f|wide|base64offset|contains: 'whoami'"),
                "{\"f\":\"" + u16("x; whoami /all", false, false) + "\"}"));
  auto c = testing::compile(rule_doc(sel("f|wide: cmd")));
  EXPECT_TRUE(c->has_code("sigma.encoding_without_base64"));
}

TEST(Match, Windash) {
  EXPECT_TRUE(m(sel("f|windash|contains: ' -enc '"), R"({"f":"ps /enc x"})"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -enc '"), R"({"f":"ps -enc x"})"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -enc '"), "{\"f\":\"ps \u2013enc x\"}"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -enc '"), "{\"f\":\"ps \u2014enc x\"}"));
  EXPECT_TRUE(m(sel("f|windash|contains: ' -enc '"), "{\"f\":\"ps \u2015enc x\"}"));
  EXPECT_FALSE(m(sel("f|windash|contains: ' -enc '"), R"({"f":"ps +enc x"})"));
  EXPECT_TRUE(m(sel("f|windash: '-a -b'"), R"({"f":"/a -b"})"));
  std::string many = "f|windash: '";
  for (int i = 0; i < 8; ++i) many += "-x ";
  many += "'";
  EXPECT_EQ(error_code(rule_doc(sel(many))), "sigma.limit.variants");  // 5^8 > 4096
}

TEST(Match, Expand) {
  EngineOptions o;
  o.placeholders["admins"] = {"alice", "bob"};
  EXPECT_TRUE(m(sel("user|expand: '%admins%'"), R"({"user":"BOB"})", o));
  EXPECT_FALSE(m(sel("user|expand: '%admins%'"), R"({"user":"carol"})", o));
  EXPECT_TRUE(m(sel("user|expand|startswith: '%admins%-'"), R"({"user":"alice-adm"})", o));
  EXPECT_EQ(error_code(rule_doc(sel("user|expand: '%nobody%'"))), "sigma.unresolved_placeholder");
}

TEST(Match, KeywordsSearchEveryValue) {
  EXPECT_TRUE(m("  keywords:\n    - 'trufflehog'\n  condition: keywords\n",
                R"({"userAgent":"TruffleHog/3.0","x":{"y":[1,2]}})") == false);  // exact, case-insensitive
  EXPECT_TRUE(m("  keywords:\n    - '*trufflehog*'\n  condition: keywords\n", R"({"a":{"b":["TruffleHog/3.0"]}})"));
  EXPECT_TRUE(m("  keywords:\n    '|contains': hog\n  condition: keywords\n", R"({"a":"trufflehog"})"));
  EXPECT_FALSE(m("  keywords:\n    - '*nothing*'\n  condition: keywords\n", R"({"a":"trufflehog"})"));
}

TEST(Match, DottedPathsArraysAndObjects) {
  const char* ev = R"({"userIdentity":{"type":"Root","sessionContext":{"mfa":"false"}},
    "requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"},{"cidrIp":"0.0.0.0/0"}]}}]}},
    "resources":[{"ARN":"arn:a"},{"ARN":"arn:b"}], "a.b":"dotted key"})";
  EXPECT_TRUE(m(sel("userIdentity.type: root"), ev));
  EXPECT_TRUE(m(sel("requestParameters.ipPermissions.items.ipRanges.items.cidrIp: '0.0.0.0/0'"), ev));
  EXPECT_TRUE(m(sel("resources.ARN: 'arn:b'"), ev));
  EXPECT_TRUE(m(sel("a.b: 'dotted key'"), ev));
  EXPECT_FALSE(m(sel("userIdentity: '*'"), ev));  // objects never match a string
  EXPECT_TRUE(m(sel("userIdentity|exists: true"), ev));
}

TEST(Match, AlternativesAreOr) {
  const std::string d = "  sel:\n    - {a: 1}\n    - {b: 2}\n  condition: sel\n";
  EXPECT_TRUE(m(d, R"({"b":2})"));
  EXPECT_FALSE(m(d, R"({"c":2})"));
  EXPECT_TRUE(m("  sel:\n    a: 1\n    b: 2\n  condition: sel\n", R"({"a":1,"b":2})"));
  EXPECT_FALSE(m("  sel:\n    a: 1\n    b: 2\n  condition: sel\n", R"({"a":1,"b":3})"));
}

TEST(Modifiers, UnknownModifierIsALocatedError) {
  auto c = testing::compile(rule_doc(sel("f|nosuch: x")));
  ASSERT_TRUE(c->has_code("sigma.unknown_modifier"));
  EXPECT_EQ(c->diags.items()[0].location.line, 9u);
  EXPECT_EQ(c->engine->detection_count(), 0u);
}

TEST(Index, RulesAreIndexedByEventNameAndSource) {
  std::string yaml = rule_doc("  sel:\n    eventName: [StopLogging, DeleteTrail]\n  condition: sel\n") + "---\n" +
                     rule_doc("  sel:\n    eventSource: s3.amazonaws.com\n  condition: sel\n") + "---\n" +
                     rule_doc("  sel:\n    eventName|contains: Trail\n  condition: sel\n") + "---\n" +
                     rule_doc("  sel:\n    eventName: A\n  f:\n    x: 1\n  condition: sel and not f\n");
  auto c = testing::compile(yaml);
  ASSERT_EQ(c->engine->detection_count(), 4u);
  EXPECT_EQ(c->engine->indexed_count(), 3u);
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"deletetrail"})"), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventSource":"s3.amazonaws.com","eventName":"X"})"),
            (std::vector<uint32_t>{1}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"A","x":2})"), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"A","x":1})").empty());
}

TEST(Index, FieldPrefixesGateTheRuleInItsPlace) {
  // rule 1 is only a candidate when eventName starts with list/get (folded, like the
  // match), and keeps its place between the unindexed rules 0 and 2 (hit order)
  std::string yaml = rule_doc("  sel:\n    eventName|contains: obj\n  condition: sel\n") + "---\n" +
                     rule_doc("  sel:\n    eventName|startswith: [List, Get]\n    readOnly: true\n  condition: sel\n") +
                     "---\n" + rule_doc("  sel:\n    readOnly: true\n  condition: sel\n") + "---\n" +
                     rule_doc("  a:\n    eventName: Describe\n  b:\n    eventName|startswith: Desc\n    x: 1\n"
                              "  condition: a or b\n");
  auto c = testing::compile(yaml);
  ASSERT_EQ(c->engine->detection_count(), 4u);
  EXPECT_EQ(c->engine->indexed_count(), 0u);
  // rules 1 and 3 (an exact value is a prefix), and 2 on readOnly (a boolean in the
  // events, which passes the gate: only strings are checked)
  EXPECT_EQ(c->engine->prefix_indexed_count(), 3u);
  EXPECT_EQ(c->engine->prefiltered_count(), 1u);     // rule 0 ("obj"); gated rules are not
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"listObjects","readOnly":true})"),
            (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"GETITEM","readOnly":true})"), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"PutObject","readOnly":true})"), (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"Lis","readOnly":true})"), (std::vector<uint32_t>{2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"Describe"})"), (std::vector<uint32_t>{3}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"DescribeX","x":1})"), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"DescribeX","x":2})").empty());
  // not a string: evaluated as before; absent: the gate fails; long values are compared
  // by their start
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":["GetX"],"readOnly":true})"), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"readOnly":true})"), (std::vector<uint32_t>{2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"readOnly":"TRUE"})"), (std::vector<uint32_t>{2}));
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"GetX","readOnly":false})").empty());
  EXPECT_TRUE(testing::hits(*c->engine, R"({"eventName":"GetX"})").empty());
  std::string long_name = "Get" + std::string(300, 'x');
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":")" + long_name + R"(","readOnly":true})"),
            (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(testing::hits(*c->engine, R"({"eventName":"Put)" + long_name + R"(","readOnly":true})"),
            (std::vector<uint32_t>{2}));
  // a `not` does not gate; other fields do, nested ones too (a key with dots on the way
  // is walked as before)
  auto n = testing::compile(rule_doc("  sel:\n    eventName|startswith: List\n  condition: not sel\n") + "---\n" +
                            rule_doc("  sel:\n    eventSource|startswith: s3\n  condition: sel\n") + "---\n" +
                            rule_doc("  sel:\n    userIdentity.type: Root\n  f:\n    x: 1\n  condition: sel and not f\n"));
  EXPECT_EQ(n->engine->prefix_indexed_count(), 2u);
  EXPECT_EQ(testing::hits(*n->engine, R"({"eventName":"GetObject","eventSource":"s3.amazonaws.com"})"),
            (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(testing::hits(*n->engine, R"({"eventName":"ListX","eventSource":"ec2.amazonaws.com"})").empty());
  EXPECT_EQ(testing::hits(*n->engine, R"({"eventName":"ListX","userIdentity":{"type":"root"}})"),
            (std::vector<uint32_t>{2}));
  EXPECT_EQ(testing::hits(*n->engine, R"({"eventName":"ListX","userIdentity.type":"Root"})"),
            (std::vector<uint32_t>{2}));
  EXPECT_TRUE(testing::hits(*n->engine, R"({"eventName":"ListX","userIdentity":{"type":"IAMUser"}})").empty());
  EXPECT_TRUE(testing::hits(*n->engine, R"({"eventName":"ListX","userIdentity":{"type":"Root"},"x":1})").empty());
}

}  // namespace
}  // namespace sekimori::detect
