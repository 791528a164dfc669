// Clang's thread-safety annotations, so a lock contract is checked by the
// compiler instead of stated in a comment. gcc (the kernel's compiler)
// ignores them; the hosted clang build (tests/unit/run.sh with
// IRQLAB_THREAD_SAFETY=ON, a make check tier) enforces them with
// -Wthread-safety -Werror. See docs/architecture.md, "Locks as types".
//
//   GUARDED_BY(lock)   a member read or written only with 'lock' held
//   REQUIRES(lock)     the caller holds 'lock' (lockdep_assert_held's twin)
//   EXCLUDES(lock)     the caller must not hold 'lock' (it takes it)
#pragma once

#if defined(__clang__)
#define IRQLAB_TSA(x) __attribute__((x))
#else
#define IRQLAB_TSA(x)
#endif

#define CAPABILITY(x) IRQLAB_TSA(capability(x))
#define SCOPED_CAPABILITY IRQLAB_TSA(scoped_lockable)
#define GUARDED_BY(x) IRQLAB_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) IRQLAB_TSA(pt_guarded_by(x))
#define REQUIRES(...) IRQLAB_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) IRQLAB_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) IRQLAB_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) IRQLAB_TSA(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) IRQLAB_TSA(assert_capability(x))
#define RETURN_CAPABILITY(x) IRQLAB_TSA(lock_returned(x))
// For the few functions whose locking the analysis cannot follow (a lock
// reached through a pointer it cannot prove equal); each use says why.
#define NO_THREAD_SAFETY_ANALYSIS IRQLAB_TSA(no_thread_safety_analysis)
