// The schema as an ordered list of migrations (private to src/store). Migration N takes
// the database from version N-1 to N; each runs in one transaction together with its
// schema_version row. The SQL sticks to what SQLite and PostgreSQL both accept where
// practical (INTEGER/BIGINT times in ms, TEXT, CHECK constraints, no SQLite-only types);
// `INTEGER PRIMARY KEY` becomes `BIGSERIAL PRIMARY KEY` in a PostgreSQL translation.
// docs/formats/database.md documents every table and column.
#pragma once

#include <span>
#include <string_view>

namespace sekimori::store::internal {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

[[nodiscard]] std::span<const Migration> migrations();

}  // namespace sekimori::store::internal
