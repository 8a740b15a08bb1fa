// The safetensors JSON header: a SAX parser that accepts only the format's schema, the
// layout checks against the file's size, and the writer's compact form.
//
// The parser never builds a JSON document: it follows the fixed shape of a header
// (object -> entry objects -> arrays of integers) and stops at the first value out of
// place, so nesting is at most three deep and memory stays proportional to the header.
// It also sees every key, which a document would not: nlohmann keeps the last of
// repeated keys silently, and a repeated name must be an error.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <unordered_set>

#include "common/check.hpp"
#include "nn/src/serialize_header.hpp"

namespace ex::serialize {

using detail::fail;
using Json = nlohmann::json;

namespace {

constexpr const char* kMetadataKey = "__metadata__";

struct DTypeCode {
  DType dtype;
  const char* code;
};
constexpr std::array<DTypeCode, kNumDTypes> kCodes{{{DType::Bool, "BOOL"},
                                                    {DType::UInt8, "U8"},
                                                    {DType::Int8, "I8"},
                                                    {DType::UInt16, "U16"},
                                                    {DType::Int16, "I16"},
                                                    {DType::UInt32, "U32"},
                                                    {DType::Int32, "I32"},
                                                    {DType::UInt64, "U64"},
                                                    {DType::Int64, "I64"},
                                                    {DType::Float16, "F16"},
                                                    {DType::BFloat16, "BF16"},
                                                    {DType::Float32, "F32"},
                                                    {DType::Float64, "F64"}}};

enum class Field { kNone, kDtype, kShape, kOffsets };

// The SAX handler (nlohmann's json_sax interface). Each event either fits the schema and
// returns true, or records why not and returns false, which stops the parse.
class HeaderParser {
 public:
  explicit HeaderParser(Header& out) : out_(out) {}
  const std::string& error() const { return error_; }
  bool done() const { return state_ == State::kDone; }

  bool null() { return wrong("null"); }
  bool boolean(bool) { return wrong("a boolean"); }
  bool number_integer(std::int64_t value) {
    if (value >= 0) return number(static_cast<std::uint64_t>(value));
    return wrong(fmt::format("the negative integer {}", value));
  }
  bool number_unsigned(std::uint64_t value) { return number(value); }
  // nlohmann reports integers beyond 64 bits as floats too.
  bool number_float(double, const std::string& text) {
    const bool integral = text.find_first_of(".eE") == std::string::npos;
    return wrong(integral ? fmt::format("the integer {} (beyond 64 bits)", text)
                          : fmt::format("the non-integer number {}", text));
  }
  bool binary(Json::binary_t&) { return wrong("binary data"); }

  bool string(std::string& value) {
    if (state_ == State::kMetadata) {
      out_.metadata.emplace(std::move(key_), std::move(value));
      return true;
    }
    if (state_ != State::kEntry || field_ != Field::kDtype) return wrong("a string");
    const auto* found = std::find_if(kCodes.begin(), kCodes.end(), [&](const DTypeCode& c) { return value == c.code; });
    if (found == kCodes.end())
      return refuse(
          fmt::format("{}unknown dtype {} (extensor reads BOOL, U8, I8, U16, I16, U32, I32, U64, I64, F16, "
                      "BF16, F32, F64)",
                      entry_prefix(), json_quoted(value)));
    entry().dtype = found->dtype;
    return true;
  }

  bool start_object(std::size_t) {
    switch (state_) {
      case State::kStart:
        state_ = State::kTop;
        return true;
      case State::kTop:
        if (key_ == kMetadataKey) {
          state_ = State::kMetadata;
        } else {
          out_.entries.push_back(HeaderEntry{std::move(key_), DType::Float32, {}, 0, 0});
          state_ = State::kEntry;
          fields_.clear();
          field_ = Field::kNone;
        }
        return true;
      default:
        return wrong("an object");
    }
  }

  bool key(std::string& key) {
    switch (state_) {
      case State::kTop:
        if (key.empty()) return refuse("a tensor name is empty");
        if (!names_.insert(key).second) return refuse(fmt::format("the name {} appears twice", json_quoted(key)));
        break;
      case State::kMetadata:
        if (out_.metadata.contains(key))  // each earlier key's string value is in already
          return refuse(fmt::format("\"__metadata__\": the key {} appears twice", json_quoted(key)));
        break;
      case State::kEntry:
        field_ = key == "dtype"          ? Field::kDtype
                 : key == "shape"        ? Field::kShape
                 : key == "data_offsets" ? Field::kOffsets
                                         : Field::kNone;
        if (field_ == Field::kNone)
          return refuse(fmt::format("{}unknown field {} (an entry has dtype, shape and data_offsets)", entry_prefix(),
                                    json_quoted(key)));
        if (std::find(fields_.begin(), fields_.end(), field_) != fields_.end())
          return refuse(fmt::format("{}the field {} appears twice", entry_prefix(), json_quoted(key)));
        fields_.push_back(field_);
        break;
      default:  // keys only occur inside objects, which the states above cover
        break;
    }
    key_ = std::move(key);
    return true;
  }

  bool end_object() {
    switch (state_) {
      case State::kTop:
        state_ = State::kDone;
        return true;
      case State::kMetadata:
        state_ = State::kTop;
        return true;
      case State::kEntry:
        for (const auto& [field, name] : {std::pair{Field::kDtype, "dtype"}, std::pair{Field::kShape, "shape"},
                                          std::pair{Field::kOffsets, "data_offsets"}})
          if (std::find(fields_.begin(), fields_.end(), field) == fields_.end())
            return refuse(fmt::format("{}the field \"{}\" is missing", entry_prefix(), name));
        state_ = State::kTop;
        return true;
      default:
        return wrong("an object");
    }
  }

  bool start_array(std::size_t) {
    if (state_ == State::kEntry && (field_ == Field::kShape || field_ == Field::kOffsets)) {
      state_ = field_ == Field::kShape ? State::kShape : State::kOffsets;
      count_ = 0;
      return true;
    }
    return wrong("an array");
  }

  bool end_array() {
    if (state_ == State::kOffsets && count_ != 2)
      return refuse(fmt::format("{}\"data_offsets\" holds {} integers, not 2 ([begin, end])", entry_prefix(), count_));
    state_ = State::kEntry;  // end_array only follows the start_array accepted above
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    std::string_view what = e.what();  // "[json.exception.parse_error.101] parse error at ..."
    if (const auto bracket = what.find("] "); what.starts_with("[json.exception") && bracket != what.npos)
      what.remove_prefix(bracket + 2);
    return refuse(fmt::format("the header is not valid JSON: {}", what));
  }

 private:
  enum class State { kStart, kTop, kEntry, kMetadata, kShape, kOffsets, kDone };

  HeaderEntry& entry() { return out_.entries.back(); }
  std::string entry_prefix() { return fmt::format("entry {}: ", json_quoted(entry().name)); }

  bool number(std::uint64_t value) {
    if (state_ == State::kShape) {
      if (value > static_cast<std::uint64_t>(INT64_MAX))
        return refuse(fmt::format("{}\"shape\" holds the dim {}, above 2^63 - 1", entry_prefix(), value));
      entry().shape.push_back(static_cast<std::int64_t>(value));
      return true;
    }
    if (state_ == State::kOffsets) {
      if (count_ == 2) return refuse(fmt::format("{}\"data_offsets\" holds more than 2 integers", entry_prefix()));
      (count_++ == 0 ? entry().begin : entry().end) = value;
      return true;
    }
    return wrong(fmt::format("the number {}", value));
  }

  // A value of the wrong JSON type: the message says what was expected where.
  bool wrong(const std::string& got) {
    switch (state_) {
      case State::kStart:
        return refuse(fmt::format("the header is {}, not a JSON object", got));
      case State::kTop:
        if (key_ == kMetadataKey) return refuse(fmt::format("\"__metadata__\" is {}, not an object of strings", got));
        return refuse(
            fmt::format("entry {}: is {}, not an object with dtype, shape and data_offsets", json_quoted(key_), got));
      case State::kMetadata:
        return refuse(fmt::format("\"__metadata__\": the value of {} is {}, not a string", json_quoted(key_), got));
      case State::kEntry:
        return refuse(fmt::format("{}\"{}\" is {}, not {}", entry_prefix(), key_, got,
                                  field_ == Field::kDtype ? "a string" : "an array of non-negative integers"));
      case State::kShape:
      case State::kOffsets:
        return refuse(fmt::format("{}\"{}\" holds {}, not a non-negative integer", entry_prefix(),
                                  state_ == State::kShape ? "shape" : "data_offsets", got));
      case State::kDone:
        break;
    }
    return refuse(fmt::format("unexpected {} after the header's object", got));
  }

  bool refuse(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  Header& out_;
  State state_ = State::kStart;
  std::string key_;  // the last key read: the entry's name, field, or metadata key
  Field field_ = Field::kNone;
  std::vector<Field> fields_;  // the fields of the current entry so far
  std::size_t count_ = 0;      // integers in the current data_offsets
  std::unordered_set<std::string> names_;
  std::string error_;
};

// The entry's size in bytes from its dtype and shape; refuses shapes over the size limit
// without overflowing (a zero dim makes any other dims valid).
std::uint64_t shape_bytes(const HeaderEntry& e, const char* fn, const std::string& path) {
  if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) return 0;
  std::uint64_t bytes = itemsize(e.dtype);
  for (std::int64_t dim : e.shape)
    if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes) ||
        bytes > static_cast<std::uint64_t>(kMaxTensorBytes))
      fail("{}: {}: entry {}: shape {} of {} needs more than 2^62 bytes", fn, path, json_quoted(e.name), e.shape,
           dtype_code(e.dtype));
  return bytes;
}

// Every entry spans exactly its shape's bytes inside the data, and together they cover
// the data without overlap or gaps (the order of the JSON object does not matter).
void check_layout(const Header& header, std::uint64_t data_bytes, const char* fn, const std::string& path) {
  for (const HeaderEntry& e : header.entries) {
    const std::string name = json_quoted(e.name);
    if (e.end < e.begin)
      fail("{}: {}: entry {}: data_offsets [{}, {}] end before they begin", fn, path, name, e.begin, e.end);
    if (e.end > data_bytes)
      fail("{}: {}: entry {}: data_offsets [{}, {}] run past the end of the data ({} bytes after the header)", fn, path,
           name, e.begin, e.end, data_bytes);
    if (const std::uint64_t bytes = shape_bytes(e, fn, path); bytes != e.end - e.begin)
      fail("{}: {}: entry {}: shape {} of {} needs {} bytes, but data_offsets [{}, {}] span {}", fn, path, name,
           e.shape, dtype_code(e.dtype), bytes, e.begin, e.end, e.end - e.begin);
  }
  std::vector<std::size_t> order(header.entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto& entries = header.entries;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair{entries[a].begin, entries[a].end} < std::pair{entries[b].begin, entries[b].end};
  });
  std::uint64_t covered = 0;
  const HeaderEntry* previous = nullptr;
  for (std::size_t i : order) {
    const HeaderEntry& e = entries[i];
    if (e.begin > covered)
      fail("{}: {}: bytes [{}, {}) of the data belong to no tensor (a hole before entry {})", fn, path, covered,
           e.begin, json_quoted(e.name));
    if (e.begin < covered)
      fail("{}: {}: entry {} (data_offsets [{}, {}]) overlaps entry {} (data_offsets [{}, {}])", fn, path,
           json_quoted(e.name), e.begin, e.end, json_quoted(previous->name), previous->begin, previous->end);
    covered = e.end;
    previous = &e;
  }
  if (covered != data_bytes)
    fail("{}: {}: {} trailing bytes after the last tensor (the tensors end at byte {} of {})", fn, path,
         data_bytes - covered, covered, data_bytes);
}

// Throws unless s is valid UTF-8, as JSON strings must be.
void check_utf8(const std::string& s, const char* what, const char* fn, const std::string& path) {
  try {
    (void)Json(s).dump();
  } catch (const Json::type_error&) {
    fail("{}: {}: {} {} is not valid UTF-8", fn, path, what, json_quoted(s));
  }
}

}  // namespace

std::string json_quoted(const std::string& s) { return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace); }

const char* dtype_code(DType dtype) noexcept {
  for (const DTypeCode& c : kCodes)
    if (c.dtype == dtype) return c.code;
  return "?";
}

Header parse_header(std::string_view json, std::uint64_t data_bytes, const char* fn, const std::string& path) {
  Header header;
  HeaderParser parser(header);
  const bool parsed = Json::sax_parse(json.begin(), json.end(), &parser);
  if (!parsed || !parser.done())
    fail("{}: {}: {}", fn, path, parser.error().empty() ? "the header is not valid JSON" : parser.error());
  check_layout(header, data_bytes, fn, path);
  return header;
}

std::string compose_header(const std::vector<HeaderEntry>& entries, const Metadata& metadata, const char* fn,
                           const std::string& path) {
  // Written by hand rather than through a json object: ordered_json looks keys up
  // linearly, which is quadratic in the number of tensors, and plain json sorts them.
  std::string out = "{";
  if (!metadata.empty()) {
    for (const auto& [key, value] : metadata) {
      check_utf8(key, "the metadata key", fn, path);
      check_utf8(value, "the metadata value", fn, path);
    }
    out += fmt::format("\"{}\":{}", kMetadataKey, Json(metadata).dump());  // keys sorted, as std::map holds them
  }
  for (const HeaderEntry& e : entries) {
    if (e.name == kMetadataKey)
      fail("{}: {}: a tensor cannot be named \"__metadata__\": the format reserves it", fn, path);
    check_utf8(e.name, "the tensor name", fn, path);
    if (out.size() > 1) out += ',';
    out += fmt::format("{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}", Json(e.name).dump(),
                       dtype_code(e.dtype), fmt::join(e.shape, ","), e.begin, e.end);
  }
  out += '}';
  out.append((8 - out.size() % 8) % 8, ' ');
  if (out.size() > kMaxHeaderBytes)
    fail("{}: {}: the header would take {} bytes, above the {}-byte limit readers accept ({} tensors)", fn, path,
         out.size(), kMaxHeaderBytes, entries.size());
  return out;
}

}  // namespace ex::serialize
