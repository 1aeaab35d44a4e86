# MPI (optional, Debian's libopenmpi-dev): sweeps split across ranks (avipsim sensitivity under mpirun).
# Without it avipsim runs every sweep in one process.
option(AVIP_MPI "Build with MPI when it is found" ON)
if(AVIP_MPI)
  find_package(MPI COMPONENTS CXX QUIET)
endif()
