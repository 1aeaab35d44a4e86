#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "core/strong_index.hpp"

namespace avip {

/// The strong index of each id of a name column (networks, managers, buses…), hashed: `of(id)` gives
/// an id's index, appending the id to the column the first time it is seen. The column stays the
/// owner of the names; this only looks them up (an id given twice in it keeps its first index).
template <typename Idx>
class id_index {
 public:
  explicit id_index(index_vector<Idx, std::string>& names) : names_{names} {
    for (auto i = Idx::from(std::size_t{0}); i.index() < names_.size(); ++i) {
      index_.try_emplace(names_[i], i);
    }
  }

  /// The index of `id`, added to the column if new; `Idx::invalid()` for an empty id (none).
  Idx of(std::string const& id) {
    if (id.empty()) {
      return Idx::invalid();
    }
    auto const [it, added] = index_.try_emplace(id, Idx::from(names_.size()));
    if (added) {
      names_.push_back(id);
    }
    return it->second;
  }

 private:
  index_vector<Idx, std::string>& names_;
  std::unordered_map<std::string, Idx> index_;
};

}  // namespace avip
