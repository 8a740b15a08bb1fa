#pragma once
// ex::Error: the one exception type every public function throws on bad input.

#include <stdexcept>
#include <string>

namespace ex {

// Thrown by every public function on invalid arguments or malformed data. The message
// always starts with the function's name, e.g. "matmul: shapes [3, 4] and [5, 6] are
// not aligned (4 != 5)". Derives from std::runtime_error, so what() gives the message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ex
