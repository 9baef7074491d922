#pragma once
// Private to src/queue/: how a record is read from a row. Each record type has one RowMap, beside the
// SQL of its table family: the expression of each column it selects and the member that column fills,
// in select order. A query selects `map.columns()` first and reads its rows with `map.all()`,
// `map.first()` or `map.read()`, so a column can never be read at the wrong index.

#include "core/kinds.hpp"
#include "queue/db.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace queue::db {

template <class Record> class RowMap {
public:
  // `what` names a record in messages about a bad value, with the member `id` when there is one
  // ("attempt 12 holds an unknown value ...").
  explicit RowMap(std::string what, int64_t Record::*id = nullptr) : m_what(std::move(what)), m_id(id) {}

  // Adds the column `sql` (a column name or an expression: "COALESCE(detail, '')"), read into `member`:
  // text, an integer, a real, a bool (non-zero), or one of core/kinds.hpp's vocabularies (stored by name).
  template <class T> RowMap& column(std::string sql, T Record::*member) {
    m_columns += (m_columns.empty() ? "" : ", ") + sql;
    const int index = static_cast<int>(m_readers.size());
    m_readers.push_back([member, index](const RowMap& map, Record& record, const Statement& row) {
      record.*member = map.template read_value<T>(row, index, record);
    });
    return *this;
  }

  // The select list: "id, opportunity_id, COALESCE(cycle_id, 0), ...".
  const std::string& columns() const noexcept { return m_columns; }

  // The record in the current row of a query that selected columns() first. Throws queue::Error.
  Record read(const Statement& row) const {
    Record record{};
    for (const auto& read_column : m_readers)
      read_column(*this, record, row);
    return record;
  }

  // Every remaining row of `query`. Throws queue::Error.
  std::vector<Record> all(Statement& query) const {
    std::vector<Record> records;
    while (query.next())
      records.push_back(read(query));
    return records;
  }

  // The next row of `query`, or nullopt when there is none. Throws queue::Error.
  std::optional<Record> first(Statement& query) const {
    if (!query.next())
      return std::nullopt;
    return read(query);
  }

private:
  template <class T> T read_value(const Statement& row, int index, const Record& record) const {
    if constexpr (std::is_same_v<T, std::string>)
      return row.text(index);
    else if constexpr (std::is_same_v<T, bool>)
      return row.int64(index) != 0;
    else if constexpr (std::is_same_v<T, int>)
      return row.integer(index);
    else if constexpr (std::is_same_v<T, int64_t>)
      return row.int64(index);
    else if constexpr (std::is_same_v<T, double>)
      return row.real(index);
    else {
      static_assert(std::is_enum_v<T>, "RowMap: a column reads text, int, int64_t, double, bool or a kind");
      const std::string text = row.text(index);
      if (auto value = core::parse<T>(text))
        return *value;
      const std::string row_name = m_id ? m_what + " " + std::to_string(record.*m_id) : m_what;
      throw Error(k_mismatch, "queue: " + row_name + " holds an unknown value \"" + text.substr(0, 40) + "\"");
    }
  }

  std::string m_what;
  int64_t Record::*m_id;
  std::string m_columns;
  std::vector<std::function<void(const RowMap&, Record&, const Statement&)>> m_readers;
};

} // namespace queue::db
