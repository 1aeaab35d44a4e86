#pragma once

#include "scenarios/sweep.hpp"

namespace avip::app {

/// The sweep partition of this process: with MPI (built with AVIP_WITH_MPI and launched by mpirun),
/// MPI is initialised and the world communicator's rank and size are used, the ranks' values gathered
/// on rank 0 in point order; otherwise one process does every point. Finalises MPI on destruction.
class mpi_partition {
 public:
  mpi_partition();
  ~mpi_partition();
  mpi_partition(mpi_partition const&) = delete;
  mpi_partition& operator=(mpi_partition const&) = delete;

  [[nodiscard]] scenarios::sweep_partition const& partition() const { return partition_; }
  [[nodiscard]] bool root() const { return partition_.rank == 0; }
  /// Whether MPI is compiled in (else mpirun starts independent processes: refused).
  static bool available();

 private:
  scenarios::sweep_partition partition_;
  bool initialised_{false};
};

}  // namespace avip::app
