package mlx

/*
#include <stdlib.h>
#include "shim_dist.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// This file is mx.distributed: communication groups and the ops that move
// arrays between the processes of a group. Backends are MLX's own; which one
// init picks, and how it finds its peers, is MLX's business (the ring backend
// reads MLX_RANK and MLX_HOSTFILE, a path to a JSON list of each rank's
// "ip:port" list, e.g. [["127.0.0.1:5000"], ["127.0.0.1:5001"]], the file
// mlx.launch writes).
//
// The ops follow the package's sticky-error convention: they return an Array
// that carries the error. They are lazy, like every op; the communication
// happens when the result is evaluated, and every member of the group must
// evaluate its part (an all_sum evaluated by one rank alone blocks until its
// peers arrive).

// Group is mx.distributed.Group: a set of processes that communicate. A nil
// *Group passed to an op means the global group, as Python's group=None does.
type Group struct {
	c          *groupCell
	rank, size int
}

type groupCell struct{ h C.mlxg_group }

func freeGroup(c *groupCell) {
	mu.Lock()
	if c.h != nil {
		C.mlxg_group_free(c.h)
		c.h = nil
	}
	mu.Unlock()
}

// newGroup wraps a group handle. Caller holds mu.
func newGroup(h C.mlxg_group) *Group {
	g := &Group{c: &groupCell{h: h}, rank: int(C.mlxg_group_rank(h)), size: int(C.mlxg_group_size(h))}
	runtime.AddCleanup(g, freeGroup, g.c)
	return g
}

// DistributedIsAvailable is mx.distributed.is_available(backend): whether
// libmlx was built with that communication backend ("ring", "mpi", "nccl",
// "jaccl", or "any" / "" for any of them).
func DistributedIsAvailable(backend string) bool {
	if err := ensureInit(); err != nil {
		return false
	}
	cb := cString(backend)
	defer C.free(unsafe.Pointer(cb))
	var ok C.int
	mu.Lock()
	defer mu.Unlock()
	if msg := C.mlxg_dist_is_available(cb, &ok); msg != nil {
		_ = takeError("distributed.is_available", msg)
		return false
	}
	return ok != 0
}

// DistributedInit is mx.distributed.init(strict, backend): it initialises the
// backend ("any" or "" tries them in MLX's order) and returns the group of all
// the processes it finds. With strict false, a backend that cannot start
// yields the singleton group (rank 0, size 1), on which the ops are
// identities; with strict true, that is an error. MLX caches the result per
// backend: a second call returns the same group.
//
// The translation of Python's `group = group or mx.distributed.init()` is
//
//	if group == nil { group, err = mlx.DistributedInit(false, "any") }
func DistributedInit(strict bool, backend string) (*Group, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	cb := cString(backend)
	defer C.free(unsafe.Pointer(cb))
	mu.Lock()
	defer mu.Unlock()
	var h C.mlxg_group
	if msg := C.mlxg_dist_init(b2i(strict), cb, &h); msg != nil {
		return nil, takeError("distributed.init", msg)
	}
	return newGroup(h), nil
}

func cString(s string) *C.char {
	if s == "" {
		s = "any"
	}
	return C.CString(s)
}

// Rank is group.rank(): this process's index in the group.
func (g *Group) Rank() int { return g.rank }

// Size is group.size(): the number of processes in the group.
func (g *Group) Size() int { return g.size }

// Split is group.split(color, key): the processes that pass the same color
// form a new group, ranked by key (a negative key keeps the order of ranks in
// g). It is collective: every member of g must call it.
func (g *Group) Split(color, key int) (*Group, error) {
	if g == nil || g.c == nil || g.c.h == nil {
		return nil, &Error{Op: "distributed.Group.split", Msg: "nil group"}
	}
	mu.Lock()
	defer mu.Unlock()
	var h C.mlxg_group
	if msg := C.mlxg_group_split(g.c.h, C.int(color), C.int(key), &h); msg != nil {
		return nil, takeError("distributed.Group.split", msg)
	}
	runtime.KeepAlive(g)
	return newGroup(h), nil
}

// groupHandle is the C handle of g, or NULL for the global group. Caller
// holds mu. The Group must be kept alive until the shim call returns.
func groupHandle(g *Group) C.mlxg_group {
	if g == nil || g.c == nil {
		return nil
	}
	return g.c.h
}

func collective(op C.int, name string, x *Array, g *Group) *Array {
	if g != nil && (g.c == nil || g.c.h == nil) {
		return errArray(&Error{Op: name, Msg: "group used after it was freed"})
	}
	out := run(name, func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_dist_collective(op, hs[0], groupHandle(g), out)
	}, x)
	runtime.KeepAlive(g)
	return out
}

// AllSum is mx.distributed.all_sum(x, group=g): the element-wise sum of x
// over the group, on every member.
func AllSum(x *Array, g *Group) *Array {
	return collective(C.MLXG_ALL_SUM, "distributed.all_sum", x, g)
}

// AllGather is mx.distributed.all_gather(x, group=g): the members' x
// concatenated along the first axis, in rank order, on every member.
func AllGather(x *Array, g *Group) *Array {
	return collective(C.MLXG_ALL_GATHER, "distributed.all_gather", x, g)
}

// AllMax is mx.distributed.all_max(x, group=g).
func AllMax(x *Array, g *Group) *Array {
	return collective(C.MLXG_ALL_MAX, "distributed.all_max", x, g)
}

// AllMin is mx.distributed.all_min(x, group=g).
func AllMin(x *Array, g *Group) *Array {
	return collective(C.MLXG_ALL_MIN, "distributed.all_min", x, g)
}

// SumScatter is mx.distributed.sum_scatter(x, group=g): the sum over the
// group, of which each member keeps its slice of the first axis.
func SumScatter(x *Array, g *Group) *Array {
	return collective(C.MLXG_SUM_SCATTER, "distributed.sum_scatter", x, g)
}

// Send is mx.distributed.send(x, dst, group=g). The result is x itself once
// sent; evaluate it (or something that depends on it) to send.
func Send(x *Array, dst int, g *Group) *Array {
	out := run("distributed.send", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_dist_send(hs[0], C.int(dst), groupHandle(g), out)
	}, x)
	runtime.KeepAlive(g)
	return out
}

// Recv is mx.distributed.recv(shape, dtype, src, group=g).
func Recv(shape []int, dtype Dtype, src int, g *Group) *Array {
	cs := cInts(shape)
	out := run("distributed.recv", func(_ []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_dist_recv(intsPtr(cs), C.int(len(cs)), C.int(dtype), C.int(src), groupHandle(g), out)
	})
	runtime.KeepAlive(g)
	return out
}

// RecvLike is mx.distributed.recv_like(x, src, group=g): Recv with x's shape
// and dtype.
func RecvLike(x *Array, src int, g *Group) *Array {
	out := run("distributed.recv_like", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_dist_recv_like(hs[0], C.int(src), groupHandle(g), out)
	}, x)
	runtime.KeepAlive(g)
	return out
}
