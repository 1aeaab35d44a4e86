#include "app/mpi_partition.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"

#ifdef AVIP_WITH_MPI
#include <mpi.h>
#endif

namespace avip::app {

namespace {

/// Launched by mpirun (Open MPI or a PMI-based launcher such as MPICH's hydra or Slurm).
bool launched_by_mpirun() {
  for (char const* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(v) != nullptr) {
      return true;
    }
  }
  return false;
}

#ifdef AVIP_WITH_MPI
/// Returns once every rank has reached it, sleeping meanwhile: a rank that finished its share early
/// would otherwise spin inside the blocking gather (Open MPI busy-polls) and take a core from the
/// ranks still running, or from anything else the machine runs.
void wait_for_every_rank() {
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  int done = 0;
  MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  while (done == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
  }
}

/// Every rank's values on rank 0, reordered from "rank r ran points r, r + size, …" to point order.
std::vector<double> gather_in_point_order(std::vector<double> const& mine, std::size_t points,
                                          std::size_t per_point, int rank, int size) {
  wait_for_every_rank();
  auto const count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<double> packed;
  if (rank == 0) {
    int total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += counts[static_cast<std::size_t>(r)];
    }
    packed.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(mine.data(), count, MPI_DOUBLE, packed.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0,
              MPI_COMM_WORLD);
  if (rank != 0) {
    return {};
  }
  std::vector<double> out(points * per_point);
  auto const usize = static_cast<std::size_t>(size);
  for (std::size_t pt = 0; pt < points; ++pt) {
    auto const r = pt % usize;
    auto const j = pt / usize;
    auto const from = static_cast<std::size_t>(offsets[r]) + j * per_point;
    std::copy_n(packed.begin() + static_cast<long>(from), per_point,
                out.begin() + static_cast<long>(pt * per_point));
  }
  return out;
}

/// Every rank's values on rank 0 in point order, each rank having run the points `ran` (any
/// assignment: their indices travel with the values).
std::vector<double> gather_points_in_order(std::vector<double> const& mine,
                                           std::vector<std::size_t> const& ran, std::size_t points,
                                           std::size_t per_point, int rank, int size) {
  wait_for_every_rank();
  auto const usize = static_cast<std::size_t>(size);
  auto const count = static_cast<int>(ran.size());
  std::vector<int> counts(usize), offsets(usize), value_counts(usize), value_offsets(usize);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::size_t total = 0;
  if (rank == 0) {
    for (std::size_t r = 0; r < usize; ++r) {
      offsets[r] = static_cast<int>(total);
      value_offsets[r] = static_cast<int>(total * per_point);
      value_counts[r] = static_cast<int>(static_cast<std::size_t>(counts[r]) * per_point);
      total += static_cast<std::size_t>(counts[r]);
    }
    if (total * per_point > static_cast<std::size_t>(INT32_MAX)) {
      throw error{"MPI: the gathered values exceed 2^31 numbers; run fewer points or replications"};
    }
  }
  std::vector<std::uint64_t> const my_indices(ran.begin(), ran.end());
  std::vector<std::uint64_t> indices(total);
  MPI_Gatherv(my_indices.data(), count, MPI_UINT64_T, indices.data(), counts.data(), offsets.data(),
              MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::vector<double> packed(total * per_point);
  MPI_Gatherv(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, packed.data(), value_counts.data(),
              value_offsets.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank != 0) {
    return {};
  }
  if (total != points) {
    throw error{fmt::format("MPI: the ranks ran {} points of {}", total, points)};
  }
  std::vector<double> out(points * per_point);
  for (std::size_t i = 0; i < total; ++i) {
    std::copy_n(packed.begin() + static_cast<long>(i * per_point), per_point,
                out.begin() + static_cast<long>(indices[i] * per_point));
  }
  return out;
}

/// Every rank's items on rank 0 in item order (item i from rank i mod size, its (i / size)-th).
std::vector<std::string> gather_items_in_order(std::vector<std::string> const& mine, std::size_t items,
                                               int rank, int size) {
  wait_for_every_rank();
  std::string packed_mine;
  for (auto const& m : mine) {
    auto const n = static_cast<std::uint64_t>(m.size());
    packed_mine.append(reinterpret_cast<char const*>(&n), sizeof n);
    packed_mine += m;
  }
  if (packed_mine.size() > static_cast<std::size_t>(INT32_MAX)) {
    throw error{"MPI: one rank's results exceed 2 GB; run with more ranks"};
  }
  auto const count = static_cast<int>(packed_mine.size());
  auto const usize = static_cast<std::size_t>(size);
  std::vector<int> counts(usize), offsets(usize);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string packed;
  if (rank == 0) {
    long long total = 0;
    for (std::size_t r = 0; r < usize; ++r) {
      offsets[r] = static_cast<int>(total);
      total += counts[r];
    }
    if (total > INT32_MAX) {
      throw error{"MPI: the gathered results exceed 2 GB"};
    }
    packed.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(packed_mine.data(), count, MPI_BYTE, packed.data(), counts.data(), offsets.data(), MPI_BYTE, 0,
              MPI_COMM_WORLD);
  if (rank != 0) {
    return {};
  }
  std::vector<std::vector<std::string>> by_rank(usize);
  for (std::size_t r = 0; r < usize; ++r) {
    auto pos = static_cast<std::size_t>(offsets[r]);
    auto const end = pos + static_cast<std::size_t>(counts[r]);
    while (pos < end) {
      std::uint64_t n = 0;
      std::memcpy(&n, packed.data() + pos, sizeof n);
      pos += sizeof n;
      by_rank[r].emplace_back(packed.data() + pos, static_cast<std::size_t>(n));
      pos += static_cast<std::size_t>(n);
    }
  }
  std::vector<std::string> out(items);
  for (std::size_t i = 0; i < items; ++i) {
    out[i] = std::move(by_rank[i % usize].at(i / usize));
  }
  return out;
}

std::string broadcast_text(std::string const& text, int rank) {
  auto n = static_cast<unsigned long long>(text.size());
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  std::string out = rank == 0 ? text : std::string(static_cast<std::size_t>(n), '\0');
  MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
}
#endif

}  // namespace

bool mpi_partition::available() {
#ifdef AVIP_WITH_MPI
  return true;
#else
  return false;
#endif
}

mpi_partition::mpi_partition() {
  if (!launched_by_mpirun()) {
    return;
  }
#ifdef AVIP_WITH_MPI
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &partition_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &partition_.size);
  int const rank = partition_.rank;
  int const size = partition_.size;
  partition_.gather = [rank, size](std::vector<double> const& mine, std::size_t points,
                                   std::size_t per_point) {
    return gather_in_point_order(mine, points, per_point, rank, size);
  };
  partition_.gather_points = [rank, size](std::vector<double> const& mine,
                                          std::vector<std::size_t> const& ran, std::size_t points,
                                          std::size_t per_point) {
    return gather_points_in_order(mine, ran, points, per_point, rank, size);
  };
  partition_.gather_items = [rank, size](std::vector<std::string> const& mine, std::size_t items) {
    return gather_items_in_order(mine, items, rank, size);
  };
  partition_.broadcast = [rank](std::string const& text) { return broadcast_text(text, rank); };
#else
  if (auto const* s = std::getenv("OMPI_COMM_WORLD_SIZE"); s != nullptr && std::string{s} != "1") {
    throw usage_error{
        "this avipsim was built without MPI (install libopenmpi-dev and rebuild): under mpirun every process "
        "would run the whole sweep; run it without mpirun"};
  }
#endif
}

mpi_partition::~mpi_partition() {
#ifdef AVIP_WITH_MPI
  if (initialised_) {
    if (std::uncaught_exceptions() > 0) {
      MPI_Abort(MPI_COMM_WORLD, 1);  // the other ranks would wait for this one forever
    }
    MPI_Finalize();
  }
#endif
}

}  // namespace avip::app
