// Persistent thread pool: the caller runs share 0, workers 1..n-1. A run bumps an atomic
// generation; workers spin on it (with pause) for SPIN_NS, then sleep on a condition variable,
// so back-to-back runs during a token cost well under a microsecond and idle workers use no CPU.
#include "ck_internal.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

// How long an idle worker busy-waits before sleeping: longer than the gap between two
// operations of one token (a few µs), short enough that idle pools stop burning CPU at once.
#define SPIN_NS 100000L
// Pause instructions between clock reads while spinning.
#define SPINS_PER_CLOCK_READ 64
// The waiting caller yields the CPU every this many pauses (~10-40 µs): cheap when the machine
// is idle, and it lets a descheduled worker run when more threads than cores are busy.
#define SPINS_PER_YIELD 1024

struct ck_pool {
    int nthreads;
    pthread_t *threads;
    _Atomic unsigned generation;
    _Atomic int pending;      // workers still running the current task
    _Atomic int sleepers;     // workers blocked (or about to block) on `wake`
    _Atomic int stop;
    // Chunked runs (ck_pool_run_chunks): the generation that is still open to joiners (0: none),
    // workers inside it, and the next unclaimed chunk.
    _Atomic unsigned open;
    _Atomic int inside;
    _Atomic int next_chunk;
    int nchunks;
    ck_task_fn fn;            // written before generation is bumped (release), read after (acquire)
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_mutex_t run_lock; // serialises callers
};

typedef struct {
    ck_pool *pool;
    int index;
} worker_arg;

// Set while this thread runs a pool job: a nested ck_pool_run (a kernel called from inside a
// parallel body) then runs inline on the calling thread instead of deadlocking on run_lock.
static _Thread_local int t_in_job = 0;
// 0 on every thread but a worker, which sets its own index once.
static _Thread_local int t_index = 0;

int ck_pool_thread_index(void) { return t_index; }

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static unsigned wait_for_generation(ck_pool *p, unsigned seen) {
    long start = now_ns();
    for (;;) {
        for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
            unsigned g = atomic_load_explicit(&p->generation, memory_order_acquire);
            if (g != seen) return g;
            cpu_relax();
        }
        if (now_ns() - start > SPIN_NS) break;
        sched_yield();
    }
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->sleepers, 1);
    unsigned g;
    // seq_cst pairs with the caller's bump-then-check: either we see the new generation here or
    // the caller sees sleepers > 0 and broadcasts under the lock.
    while ((g = atomic_load(&p->generation)) == seen) pthread_cond_wait(&p->wake, &p->lock);
    atomic_fetch_sub(&p->sleepers, 1);
    pthread_mutex_unlock(&p->lock);
    return g;
}

// Claims chunks until none is left: whichever threads are on a core do the work.
static void run_chunks(ck_pool *p) {
    for (int c; (c = atomic_fetch_add_explicit(&p->next_chunk, 1, memory_order_relaxed)) < p->nchunks;)
        p->fn(p->ctx, c, p->nchunks);
}

static void *worker_main(void *raw) {
    worker_arg arg = *(worker_arg *)raw;
    free(raw);
    ck_pool *p = arg.pool;
    t_index = arg.index;
    unsigned seen = 0;
    for (;;) {
        seen = wait_for_generation(p, seen);
        if (atomic_load_explicit(&p->stop, memory_order_acquire)) break;
        t_in_job = 1;
        if (seen & 1u) {
            // A chunked run: join only while it is open. The caller closes it and then waits for
            // `inside` to drain (and we count ourselves in before looking), so fn/ctx are those
            // of generation `seen` whenever we run them; a late worker skips the run entirely.
            atomic_fetch_add(&p->inside, 1);
            if (atomic_load(&p->open) == seen) run_chunks(p);
            atomic_fetch_sub(&p->inside, 1);
        } else {
            p->fn(p->ctx, arg.index, p->nthreads);
            atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
        }
        t_in_job = 0;
    }
    return NULL;
}

// Generations count in steps of two; the low bit marks a chunked run (so a worker knows the kind
// of run from the value it woke on, even if the caller has meanwhile moved on).
static unsigned next_generation(ck_pool *p, int chunked) {
    return ((atomic_load(&p->generation) >> 1) + 1) << 1 | (unsigned)(chunked != 0);
}

static void publish_generation(ck_pool *p, unsigned g) {
    atomic_store(&p->generation, g);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
}

ck_pool *ck_pool_create(int nthreads) {
    if (nthreads < 1) nthreads = 1;
    ck_pool *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    p->nthreads = nthreads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_mutex_init(&p->run_lock, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->stop, 0);
    atomic_init(&p->open, 0);
    atomic_init(&p->inside, 0);
    atomic_init(&p->next_chunk, 0);
    if (nthreads == 1) return p;
    p->threads = calloc((size_t)nthreads, sizeof(pthread_t));
    if (p->threads == NULL) {
        free(p);
        return NULL;
    }
    for (int i = 1; i < nthreads; i++) {
        worker_arg *arg = malloc(sizeof *arg);
        if (arg != NULL) {
            arg->pool = p;
            arg->index = i;
        }
        if (arg == NULL || pthread_create(&p->threads[i], NULL, worker_main, arg) != 0) {
            free(arg);
            // Stop the workers started so far and give up.
            atomic_store(&p->stop, 1);
            publish_generation(p, next_generation(p, 0));
            for (int j = 1; j < i; j++) pthread_join(p->threads[j], NULL);
            free(p->threads);
            free(p);
            return NULL;
        }
    }
    return p;
}

void ck_pool_destroy(ck_pool *p) {
    if (p == NULL) return;
    if (p->nthreads > 1) {
        atomic_store(&p->stop, 1);
        publish_generation(p, next_generation(p, 0));
        for (int i = 1; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
        free(p->threads);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->run_lock);
    free(p);
}

int ck_pool_threads(const ck_pool *p) { return p ? p->nthreads : 1; }

void ck_pool_run(ck_pool *p, ck_task_fn fn, void *ctx) {
    if (p == NULL || p->nthreads == 1 || t_in_job) {
        fn(ctx, 0, 1);
        return;
    }
    pthread_mutex_lock(&p->run_lock);
    p->fn = fn;
    p->ctx = ctx;
    atomic_store_explicit(&p->pending, p->nthreads - 1, memory_order_relaxed);
    publish_generation(p, next_generation(p, 0));
    t_in_job = 1;
    fn(ctx, 0, p->nthreads);
    t_in_job = 0;
    for (unsigned spins = 1; atomic_load_explicit(&p->pending, memory_order_acquire) != 0; spins++) {
        cpu_relax();
        if (spins % SPINS_PER_YIELD == 0) sched_yield();
    }
    pthread_mutex_unlock(&p->run_lock);
}

void ck_pool_run_chunks(ck_pool *p, ck_task_fn fn, void *ctx, int nchunks) {
    if (nchunks <= 0) return;
    if (p == NULL || p->nthreads == 1 || t_in_job || nchunks == 1) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c, nchunks);
        return;
    }
    pthread_mutex_lock(&p->run_lock);
    p->fn = fn;
    p->ctx = ctx;
    p->nchunks = nchunks;
    atomic_store(&p->next_chunk, 0);
    unsigned g = next_generation(p, 1);
    atomic_store(&p->open, g);
    publish_generation(p, g);
    int outer_index = t_index;  // the caller of a run is its thread 0, whatever it is elsewhere
    t_index = 0;
    t_in_job = 1;
    run_chunks(p);
    t_in_job = 0;
    t_index = outer_index;
    // Every chunk is claimed: close the run, then wait only for workers still inside it (a
    // descheduled worker that never joined is not waited for).
    atomic_store(&p->open, 0);
    for (unsigned spins = 1; atomic_load(&p->inside) != 0; spins++) {
        cpu_relax();
        if (spins % SPINS_PER_YIELD == 0) sched_yield();
    }
    pthread_mutex_unlock(&p->run_lock);
}
