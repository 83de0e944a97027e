// SHA-256 of a byte string, as lowercase hex — for recording which exact input bytes a
// scan saw (Estate::inputs()). Not for anything secret: no constant-time guarantees.
//
//   std::string h = model::internal::sha256_hex("abc");  // "ba7816bf..."
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace sekimori::model::internal {

[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace sekimori::model::internal
