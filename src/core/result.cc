#include "core/result.h"

namespace sekimori::core {

std::string Error::to_string() const {
  std::string out;
  if (location) {
    std::string where = location->to_string();
    if (!where.empty()) out = where + ": ";
  }
  out += message;
  if (!code.empty()) out += " [" + code + "]";
  return out;
}

}  // namespace sekimori::core
