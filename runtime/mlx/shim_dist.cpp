// The shim's mx.distributed entry points (see shim_dist.h).
#include "mlx/distributed/distributed.h"
#include "mlx/distributed/distributed_impl.h"
#include "mlx/distributed/ops.h"
#include "shim_dist.h"
#include "shim_internal.h"

namespace dist = mlx::core::distributed;
using namespace hf2go;

struct mlxg_group_s {
  dist::Group g;
};

namespace {

std::optional<dist::Group> grp(mlxg_group g) {
  if (g == nullptr) return std::nullopt;
  return g->g;
}

// comm_stream is the stream a communication op of group g is issued on: the
// binding's stream, except on a GPU when g's backend communicates on the CPU
// (ring, JACCL, MPI without CUDA: their communication_stream() is a CPU
// stream). Given the GPU stream, MLX then falls back to a default CPU stream
// of its own, which is thread-local and missing on the thread that evaluates
// the graph: the H200 runs failed TestDistributedRing's all_sum with "There
// is no Stream(cpu, 0) in current thread". The shared CPU stream is made
// with new_thread_unsafe_stream, so any thread may evaluate it (MLX orders
// it after the GPU work that produces the input). On a CPU-only machine the
// binding's stream is already a CPU stream.
mx::Stream comm_stream(mlxg_group g) {
  mx::Stream s = S;
  if (s.device == mx::Device::cpu) return s;
  dist::Group group = g != nullptr ? g->g : dist::init(false);
  bool on_cpu = true;
  try {
    on_cpu = group.raw_group()->communication_stream().device == mx::Device::cpu;
  } catch (const std::exception&) {
    // the backend could not even name its default stream here: a CPU one
  }
  return on_cpu ? cpu_stream() : s;
}

std::string backend_of(const char* b) { return b == nullptr || *b == 0 ? std::string("any") : std::string(b); }

}  // namespace

extern "C" {

mlxg_err mlxg_dist_is_available(const char* backend, int* available) {
  GUARD({
    std::string b = backend_of(backend);
    *available = b == "any" ? dist::is_available() : dist::is_available(b);
  })
}

mlxg_err mlxg_dist_init(int strict, const char* backend, mlxg_group* out) {
  GUARD(*out = new mlxg_group_s{dist::init(strict != 0, backend_of(backend))})
}

void mlxg_group_free(mlxg_group g) { delete g; }
int mlxg_group_rank(mlxg_group g) { return g->g.rank(); }
int mlxg_group_size(mlxg_group g) { return g->g.size(); }

mlxg_err mlxg_group_split(mlxg_group g, int color, int key, mlxg_group* out) {
  GUARD(*out = new mlxg_group_s{g->g.split(color, key)})
}

// The ops are issued on comm_stream: the binding's stream, as every other
// op, but for a CPU-only backend under a GPU stream.
mlxg_err mlxg_dist_collective(int op, mlxg_array x, mlxg_group g, mlxg_array* out) {
  GUARD({
    switch (op) {
      case MLXG_ALL_SUM: OUT(dist::all_sum(A(x), grp(g), comm_stream(g))); break;
      case MLXG_ALL_GATHER: OUT(dist::all_gather(A(x), grp(g), comm_stream(g))); break;
      case MLXG_ALL_MAX: OUT(dist::all_max(A(x), grp(g), comm_stream(g))); break;
      case MLXG_ALL_MIN: OUT(dist::all_min(A(x), grp(g), comm_stream(g))); break;
      case MLXG_SUM_SCATTER: OUT(dist::sum_scatter(A(x), grp(g), comm_stream(g))); break;
      default: throw std::invalid_argument("unknown collective op " + std::to_string(op));
    }
  })
}

mlxg_err mlxg_dist_send(mlxg_array x, int dst, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::send(A(x), dst, grp(g), comm_stream(g))))
}

mlxg_err mlxg_dist_recv(const int* shape, int ndim, int dtype, int src, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::recv(shape_of(shape, ndim), dtype_of(dtype), src, grp(g), comm_stream(g))))
}

mlxg_err mlxg_dist_recv_like(mlxg_array x, int src, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::recv_like(A(x), src, grp(g), comm_stream(g))))
}

}  // extern "C"
