// A C model of the deferred duplicate check of a chunked read (Sources/StrataAnalysis/Data/UnitHashSet+Log.swift),
// to time its phases apart on a given machine: random 64-bit keys in chunks of 338,000 rows (an 8 MiB chunk of the
// benchmark file), each chunk's keys counted into 2^BITS radix partitions, its piece of the log faulted in with
// MADV_POPULATE_WRITE and the keys grouped into it (a counting sort), then every partition inserted, chunk after
// chunk, into an open-addressing table of the least power of two of at least SLOTS slots per key.
//
//   cc -O2 -o /tmp/dup_check_model Benchmarks/dup_check_model.c
//   /tmp/dup_check_model ROWS BITS SLOTS      # e.g. 30000000 12 2 (as at 30 M rows before) and 30000000 12 4
//
// Prints CPU time per row of each phase (this process's CPU clock): "populate" is the kernel zeroing the log's pages,
// "group" the counting sort, "search" the partition tables. No output is checked: it is a timing model only.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s ROWS BITS SLOTS\n", argv[0]);
    return 64;
  }
  long rows = atol(argv[1]), chunkRows = 338000;
  int bits = atoi(argv[2]), slotsPerKey = atoi(argv[3]);
  long chunks = (rows + chunkRows - 1) / chunkRows, partitions = 1L << bits;
  int shift = 64 - bits;
  uint64_t *scratch = malloc(chunkRows * 8);
  long *counts = calloc(partitions, sizeof(long));
  char *arena = mmap(0, (size_t)rows * 8 + 64 * chunks + 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  uint64_t **keys = malloc(chunks * sizeof(uint64_t *));
  long **starts = malloc(chunks * sizeof(long *));
  uint64_t seed = 1;
  size_t used = 0;
  double collect = 0, populate = 0, group = 0, t;
  for (long c = 0; c < chunks; c++) {
    long n = c == chunks - 1 ? rows - c * chunkRows : chunkRows;
    t = cpu();
    memset(counts, 0, partitions * sizeof(long));
    for (long i = 0; i < n; i++) {
      uint64_t h = splitmix(&seed) | 2;
      scratch[i] = h;
      counts[bits ? h >> shift : 0]++;
    }
    collect += cpu() - t;
    t = cpu();
    uint64_t *piece = (uint64_t *)(arena + used);
    size_t bytes = (n * 8 + 63) & ~63UL;
    used += bytes;
    madvise((void *)((uintptr_t)piece & ~4095UL), bytes + 4096, 23 /* MADV_POPULATE_WRITE */);
    populate += cpu() - t;
    t = cpu();
    long *start = malloc((partitions + 1) * sizeof(long)), *next = malloc(partitions * sizeof(long));
    start[0] = 0;
    for (long p = 0; p < partitions; p++) start[p + 1] = start[p] + counts[p];
    memcpy(next, start, partitions * sizeof(long));
    for (long i = 0; i < n; i++) piece[next[bits ? scratch[i] >> shift : 0]++] = scratch[i];
    free(next);
    keys[c] = piece;
    starts[c] = start;
    group += cpu() - t;
  }
  t = cpu();
  long largest = 0, repeats = 0;
  long *totals = calloc(partitions, sizeof(long));
  for (long c = 0; c < chunks; c++)
    for (long p = 0; p < partitions; p++) totals[p] += starts[c][p + 1] - starts[c][p];
  for (long p = 0; p < partitions; p++) largest = totals[p] > largest ? totals[p] : largest;
  long capacity = 16;
  while (capacity < slotsPerKey * largest) capacity <<= 1;
  uint64_t *slots = malloc(capacity * 8);
  for (long p = 0; p < partitions; p++) {
    long size = 16;
    while (size < slotsPerKey * totals[p]) size <<= 1;
    memset(slots, 0, size * 8);
    long mask = size - 1;
    for (long c = 0; c < chunks; c++) {
      for (long i = starts[c][p]; i < starts[c][p + 1]; i++) {
        uint64_t key = keys[c][i];
        for (long at = key & mask;; at = (at + 1) & mask) {
          if (slots[at] == 0) {
            slots[at] = key;
            break;
          }
          if (slots[at] == key) {
            repeats++;
            break;
          }
        }
      }
    }
  }
  double search = cpu() - t;
  printf("rows %ld, %ld chunks, %ld partitions of %.0f keys, %d+ slots per key (load %.2f in the largest): ns per row"
         " collect %.2f populate %.2f group %.2f search %.2f (repeats %ld)\n",
         rows, chunks, partitions, (double)rows / partitions, slotsPerKey, (double)largest / capacity,
         collect / rows * 1e9, populate / rows * 1e9, group / rows * 1e9, search / rows * 1e9, repeats);
  return 0;
}
