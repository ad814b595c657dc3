/*
 * assign_gym_renewal.c: a plain C baseline for `strata assign --input F --output O` with
 * experiments/gym-renewal.yaml, for Benchmarks/assign_vs_c.sh.
 *
 *     cc -std=c11 -O2 -o assign_c Benchmarks/assign_c/assign_gym_renewal.c
 *     ./assign_c bench-data/members-1000000.csv out.csv
 *
 * What it does: reads a member CSV (Benchmarks/generate_members.py), assigns every row by
 * docs/assignment-spec.md and writes the same bytes `strata assign` writes (the script checks with cmp),
 * then prints the segment x variant counts.
 *
 * It is a BASELINE, not a second implementation of Strata: the one experiment's rules are HARD-CODED
 * here, as a hand-written program for one campaign would have them:
 *   salt "gym-renewal-2026", unit column member_id;
 *   consent: marketing_opt_in reads as boolean true (true/false in any ASCII case, 1/0);
 *   eligibility: membership_months >= 3 and status == "active";
 *   segments: high (checkins_90d >= 24), medium (checkins_90d >= 8), low (everyone else);
 *   three variants of weight 1 (control, reminder_progress, reminder_social), traffic 1, so buckets
 *   0-3332, 3333-6665 and 6666-9999; no layer, no holdout.
 * Bucket: MurmurHash3 x86_32, seed 0, of "gym-renewal-2026:" + the unit id's bytes, mod 10000 (spec §1, §3).
 * Numbers follow spec §5 (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?, else the comparison is false); an
 * empty cell is a missing attribute.
 *
 * CSV (RFC 4180 as strata reads it, quirks included): each record is scanned once, byte by byte; from a
 * record's first quote on, its fields are unquoted into a side buffer as they are read. A record with
 * malformed quoting, the wrong number of fields or an empty unit id is a bad row: reported on stderr with
 * its line (the first 20; not strata's exact wording), counted, and given no output row, as strata does.
 * Output is written to a temporary file beside the destination, fsync'ed and renamed over it, as strata
 * does.
 *
 * Written from the spec for this benchmark; C11 plus POSIX read/write/fsync/rename, no other dependency.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BUFFER (1 << 22)
#define WRITE_BUFFER (1 << 20)
#define MAX_FIELDS 256

/* ---- MurmurHash3 x86_32 (spec §1) ---- */

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t murmur3_x86_32(const uint8_t *data, size_t length, uint32_t seed) {
  const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
  uint32_t h = seed;
  size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; i++) {
    uint32_t k = (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8 | (uint32_t)data[4 * i + 2] << 16 |
                 (uint32_t)data[4 * i + 3] << 24;
    k *= c1;
    k = rotl32(k, 15);
    k *= c2;
    h ^= k;
    h = rotl32(h, 13);
    h = h * 5 + 0xe6546b64u;
  }
  const uint8_t *tail = data + blocks * 4;
  uint32_t k = 0;
  switch (length & 3) {
  case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
  case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
  case 1:
    k ^= tail[0];
    k *= c1;
    k = rotl32(k, 15);
    k *= c2;
    h ^= k;
  }
  h ^= (uint32_t)length;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* ---- attribute readings (spec §5) ---- */

/* Reads text in the spec's number grammar into *out; returns 0 when it is not a number. */
static int parse_number(const uint8_t *p, size_t n, double *out) {
  size_t i = 0;
  int negative = 0;
  if (i < n && p[i] == '-') { negative = 1; i++; }
  size_t digits_start = i;
  int64_t integer = 0;
  while (i < n && p[i] >= '0' && p[i] <= '9') { integer = integer * 10 + (p[i] - '0'); i++; }
  size_t integer_digits = i - digits_start;
  if (integer_digits == 0) return 0;
  if (i == n && integer_digits <= 15) { /* exact in a double: the value strtod gives */
    *out = negative ? -(double)integer : (double)integer;
    return 1;
  }
  if (i < n && p[i] == '.') {
    i++;
    size_t fraction_start = i;
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    if (i == fraction_start) return 0;
  }
  if (i < n && (p[i] == 'e' || p[i] == 'E')) {
    i++;
    if (i < n && (p[i] == '+' || p[i] == '-')) i++;
    size_t exponent_start = i;
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    if (i == exponent_start) return 0;
  }
  if (i != n) return 0;
  char text[512];
  if (n >= sizeof text) return 0; /* longer numbers than any member file holds: treated as unreadable */
  memcpy(text, p, n);
  text[n] = 0;
  *out = strtod(text, NULL);
  return 1;
}

/* 1 for true/1, 0 for false/0 (any ASCII case), -1 for anything else. */
static int parse_bool(const uint8_t *p, size_t n) {
  if (n == 1) return p[0] == '1' ? 1 : p[0] == '0' ? 0 : -1;
  const char *word = n == 4 ? "true" : n == 5 ? "false" : NULL;
  if (!word) return -1;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 'A' && c <= 'Z') c |= 0x20;
    if (c != (uint8_t)word[i]) return -1;
  }
  return n == 4;
}

/* ---- output ---- */

static uint8_t *out_buffer;
static size_t out_count;
static int out_fd;
static const char *out_temp;

static void die(const char *what, const char *path) {
  fprintf(stderr, "assign_c: %s %s: %s\n", what, path, strerror(errno));
  if (out_temp) unlink(out_temp);
  exit(1);
}

static void flush_output(void) {
  size_t done = 0;
  while (done < out_count) {
    ssize_t written = write(out_fd, out_buffer + done, out_count - done);
    if (written < 0) {
      if (errno == EINTR) continue;
      die("cannot write", out_temp);
    }
    done += (size_t)written;
  }
  out_count = 0;
}

static void put(const void *bytes, size_t n) {
  if (out_count + n > WRITE_BUFFER) flush_output();
  memcpy(out_buffer + out_count, bytes, n);
  out_count += n;
}

/* The unit cell: `'`-guarded and quoted when it starts like a formula, quoted when it holds , " CR or LF. */
static void put_unit(const uint8_t *p, size_t n) {
  uint8_t first = p[0];
  int guarded = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r' ||
                first == '\'';
  int quote = guarded;
  for (size_t i = 0; i < n && !quote; i++) quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
  if (!quote) {
    put(p, n);
    return;
  }
  if (out_count + 2 * n + 3 > WRITE_BUFFER) flush_output();
  uint8_t *o = out_buffer + out_count;
  *o++ = '"';
  if (guarded) *o++ = '\'';
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '"') *o++ = '"';
    *o++ = p[i];
  }
  *o++ = '"';
  out_count = (size_t)(o - out_buffer);
}

static void put_bucket(int bucket) {
  char digits[8];
  int n = 0;
  do { digits[n++] = (char)('0' + bucket % 10); bucket /= 10; } while (bucket > 0);
  char text[8];
  for (int i = 0; i < n; i++) text[i] = digits[n - 1 - i];
  put(text, (size_t)n);
}

/* ---- the CSV scanner ---- */

typedef struct {
  const uint8_t *start[MAX_FIELDS];
  size_t length[MAX_FIELDS];
  int count;
  int newlines;
  const char *malformation; /* NULL when well formed */
  int malformed_field;
} Record;

static uint8_t *scratch; /* unquoted copies of the fields of a record with quotes */

static void mark(Record *r, const char *what, int field) {
  if (!r->malformation) {
    r->malformation = what;
    r->malformed_field = field;
  }
}

/*
 * A record with a quote, from field `field` starting at p[i]: the quoting state machine, byte by byte, copying
 * each field's bytes (unquoted) to `scratch`. A quote opens a quoted field only at the start of a field
 * (carriage returns aside); inside quotes "" is one quote and line ends are data; a quote elsewhere is kept
 * and makes the record malformed, as does text after a closing quote; carriage returns outside quotes are
 * dropped.
 */
static size_t scan_quoted(const uint8_t *p, size_t n, int at_eof, Record *r, int field, size_t i) {
  uint8_t *s = scratch, *field_out = scratch;
  int in_quotes = 0, after_quote = 0, at_field_start = 1, newlines = 0;
  r->start[field] = s;
  for (; i < n; i++) {
    uint8_t c = p[i];
    if (in_quotes) {
      if (c == '"') {
        in_quotes = 0;
        after_quote = 1;
      } else {
        if (c == '\n') newlines++;
        *s++ = c;
      }
      continue;
    }
    switch (c) {
    case '\n':
      r->length[field] = (size_t)(s - field_out);
      r->count = field + 1;
      r->newlines = newlines + 1;
      return i + 1;
    case ',':
      r->length[field] = (size_t)(s - field_out);
      if (++field == MAX_FIELDS) return (size_t)-1;
      field_out = s;
      r->start[field] = s;
      at_field_start = 1;
      after_quote = 0;
      break;
    case '\r': break;
    case '"':
      if (after_quote) { /* the second quote of "" */
        in_quotes = 1;
        after_quote = 0;
        *s++ = c;
      } else if (at_field_start) {
        in_quotes = 1;
        at_field_start = 0;
      } else {
        mark(r, "a quote inside an unquoted field", field + 1);
        *s++ = c;
      }
      break;
    default:
      at_field_start = 0;
      if (after_quote) mark(r, "text after a closing quote", field + 1);
      *s++ = c;
    }
  }
  if (!at_eof) return 0;
  r->length[field] = (size_t)(s - field_out);
  r->count = field + 1;
  r->newlines = newlines + 1;
  if (in_quotes) r->malformation = "a quoted field is not closed before the end of the file";
  return n;
}

/*
 * Scans one record at p[0..n) in one pass; returns the bytes it takes (its line end included), 0 when it is
 * not complete and more input is needed (never at_eof), or (size_t)-1 for too many fields. Fields of a record
 * without quotes point into p (a carriage return before the line end is trimmed, others are kept); at the
 * first quote the rest of the record goes through scan_quoted from the start of the current field (from the
 * record's start if a carriage return came before, since that path drops them).
 */
static size_t scan_record(const uint8_t *p, size_t n, int at_eof, Record *r) {
  size_t i = 0, field_start = 0;
  int field = 0, carriage_return = 0;
  r->malformation = NULL;
  r->start[0] = p;
  for (; i < n; i++) {
    uint8_t c = p[i];
    if (c == ',') {
      r->length[field] = i - field_start;
      if (++field == MAX_FIELDS) return (size_t)-1;
      field_start = i + 1;
      r->start[field] = p + field_start;
    } else if (c == '\n') {
      size_t end = i;
      if (end > field_start && p[end - 1] == '\r') end--;
      r->length[field] = end - field_start;
      r->count = field + 1;
      r->newlines = 1;
      return i + 1;
    } else if (c == '"') {
      return carriage_return ? scan_quoted(p, n, at_eof, r, 0, 0) : scan_quoted(p, n, at_eof, r, field, field_start);
    } else if (c == '\r') {
      carriage_return = 1;
    }
  }
  if (!at_eof) return 0;
  size_t end = n;
  if (end > field_start && p[end - 1] == '\r') end--;
  r->length[field] = end - field_start;
  r->count = field + 1;
  r->newlines = 1;
  return n;
}

static int field_is(const Record *r, int index, const char *name) {
  size_t n = strlen(name);
  return r->length[index] == n && memcmp(r->start[index], name, n) == 0;
}

/* ---- assignment of this one experiment ---- */

static const char *const segment_names[3] = {"high", "medium", "low"};
static const char *const variant_keys[3] = {"control", "reminder_progress", "reminder_social"};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: assign_c INPUT.csv OUTPUT.csv (experiments/gym-renewal.yaml, hard-coded)\n");
    return 64;
  }
  const char *input = argv[1], *output = argv[2];
  int in_fd = open(input, O_RDONLY);
  if (in_fd < 0) die("cannot open", input);
  uint8_t *buffer = malloc(READ_BUFFER);
  scratch = malloc(READ_BUFFER);
  out_buffer = malloc(WRITE_BUFFER);
  if (!buffer || !scratch || !out_buffer) die("out of memory for", input);

  /* The temporary output beside the destination: .NAME.PID.tmp */
  const char *slash = strrchr(output, '/');
  size_t directory_length = slash ? (size_t)(slash - output + 1) : 0;
  char *temp = malloc(strlen(output) + 32);
  snprintf(temp, strlen(output) + 32, "%.*s.%s.%ld.tmp", (int)directory_length, output,
           output + directory_length, (long)getpid());
  out_temp = temp;
  out_fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out_fd < 0) die("cannot create", temp);

  int unit_column = -1, consent_column = -1, months_column = -1, status_column = -1, checkins_column = -1;
  int header_fields = 0, have_header = 0;
  long rows = 0, bad = 0, line = 1;
  long counts[3][3] = {{0}}, no_consent = 0, not_eligible = 0;
  uint8_t key[4096];
  static const char salt[] = "gym-renewal-2026:";
  const size_t salt_length = sizeof salt - 1;
  memcpy(key, salt, salt_length);

  size_t filled = 0, consumed = 0;
  int at_eof = 0, checked_bom = 0;
  Record record;
  for (;;) {
    if (consumed > 0) {
      memmove(buffer, buffer + consumed, filled - consumed);
      filled -= consumed;
      consumed = 0;
    }
    if (!at_eof && filled < READ_BUFFER) {
      ssize_t got = read(in_fd, buffer + filled, READ_BUFFER - filled);
      if (got < 0) {
        if (errno == EINTR) continue;
        die("cannot read", input);
      }
      if (got == 0) at_eof = 1;
      filled += (size_t)got;
    }
    if (!checked_bom) {
      if (filled < 3 && !at_eof) continue;
      checked_bom = 1;
      if (filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) consumed = 3;
    }
    int progressed = 0;
    while (consumed < filled) {
      size_t taken = scan_record(buffer + consumed, filled - consumed, at_eof, &record);
      if (taken == 0) break;
      if (taken == (size_t)-1) {
        fprintf(stderr, "assign_c: %s:%ld: more than %d fields\n", input, line, MAX_FIELDS);
        unlink(temp);
        return 1;
      }
      consumed += taken;
      progressed = 1;
      long record_line = line;
      line += record.newlines;
      if (record.count == 1 && record.length[0] == 0 && !record.malformation) continue; /* blank line */
      if (!have_header) {
        have_header = 1;
        header_fields = record.count;
        for (int f = 0; f < record.count; f++) {
          if (unit_column < 0 && field_is(&record, f, "member_id")) unit_column = f;
          if (consent_column < 0 && field_is(&record, f, "marketing_opt_in")) consent_column = f;
          if (months_column < 0 && field_is(&record, f, "membership_months")) months_column = f;
          if (status_column < 0 && field_is(&record, f, "status")) status_column = f;
          if (checkins_column < 0 && field_is(&record, f, "checkins_90d")) checkins_column = f;
        }
        if (unit_column < 0) {
          fprintf(stderr, "assign_c: %s:1: unit column \"member_id\" is not in the header\n", input);
          unlink(temp);
          return 1;
        }
        static const char header[] = "member_id,segment,variant,bucket,eligible,reason\n";
        put(header, sizeof header - 1);
        continue;
      }
      rows++;
      const char *problem = record.malformation;
      if (!problem && record.count != header_fields) problem = "has the wrong number of fields";
      if (!problem && record.length[unit_column] == 0) problem = "the unit id is empty";
      if (problem) {
        if (++bad <= 20) fprintf(stderr, "assign_c: bad row: %s:%ld: %s\n", input, record_line, problem);
        continue;
      }
      const uint8_t *unit = record.start[unit_column];
      size_t unit_length = record.length[unit_column];
      if (salt_length + unit_length > sizeof key) {
        fprintf(stderr, "assign_c: %s:%ld: unit id longer than %zu bytes\n", input, record_line, sizeof key);
        unlink(temp);
        return 1;
      }
      memcpy(key + salt_length, unit, unit_length);
      int bucket = (int)(murmur3_x86_32(key, salt_length + unit_length, 0) % 10000u);

      put_unit(unit, unit_length);
      /* Consent: the attribute must read as boolean true (missing or empty: no). */
      if (consent_column < 0 ||
          parse_bool(record.start[consent_column], record.length[consent_column]) != 1) {
        no_consent++;
        put(",,,,false,no_consent\n", 21);
        continue;
      }
      /* Eligibility: membership_months >= 3 and status == "active". */
      double months;
      int eligible = months_column >= 0 && record.length[months_column] > 0 &&
                     parse_number(record.start[months_column], record.length[months_column], &months) &&
                     months >= 3 && status_column >= 0 && field_is(&record, status_column, "active");
      if (!eligible) {
        not_eligible++;
        put(",,,,false,not_eligible\n", 23);
        continue;
      }
      /* Segment by checkins_90d; low takes everyone else (missing or unreadable included). */
      double checkins;
      int has_checkins = checkins_column >= 0 && record.length[checkins_column] > 0 &&
                         parse_number(record.start[checkins_column], record.length[checkins_column], &checkins);
      int segment = has_checkins && checkins >= 24 ? 0 : has_checkins && checkins >= 8 ? 1 : 2;
      int variant = bucket < 3333 ? 0 : bucket < 6666 ? 1 : 2;
      counts[segment][variant]++;
      put(",", 1);
      put(segment_names[segment], strlen(segment_names[segment]));
      put(",", 1);
      put(variant_keys[variant], strlen(variant_keys[variant]));
      put(",", 1);
      put_bucket(bucket);
      put(",true,assigned\n", 15);
    }
    if (at_eof && (consumed >= filled || !progressed)) break;
    if (!progressed && filled == READ_BUFFER) {
      fprintf(stderr, "assign_c: %s:%ld: a record longer than %d bytes\n", input, line, READ_BUFFER);
      unlink(temp);
      return 1;
    }
  }
  if (!have_header) {
    fprintf(stderr, "assign_c: %s:1: the file is empty (expected a header row)\n", input);
    unlink(temp);
    return 1;
  }
  flush_output();
  while (fsync(out_fd) != 0) {
    if (errno != EINTR) die("cannot sync", temp);
  }
  if (close(out_fd) != 0) die("cannot close", temp);
  if (rename(temp, output) != 0) die("cannot rename to", output);
  close(in_fd);

  long assigned = 0;
  for (int s = 0; s < 3; s++)
    for (int v = 0; v < 3; v++) assigned += counts[s][v];
  printf("gym-renewal-2026: %ld rows, %ld assigned, %ld excluded, %ld bad\n\n", rows, assigned,
         no_consent + not_eligible, bad);
  printf("%-8s %12s %18s %16s\n", "segment", variant_keys[0], variant_keys[1], variant_keys[2]);
  for (int s = 0; s < 3; s++)
    printf("%-8s %12ld %18ld %16ld\n", segment_names[s], counts[s][0], counts[s][1], counts[s][2]);
  printf("\nexcluded before segmentation: no_consent: %ld, not_eligible: %ld\nwrote %s\n", no_consent, not_eligible,
         output);
  free(temp);
  free(buffer);
  free(scratch);
  free(out_buffer);
  return 0;
}
