/* The "bare C newline-and-comma counter": the least work any CSV reader must do, the floor for
 * `strata analyze` on the same file. Reads the file in 1 MiB blocks with read(2) and counts '\n' and ','
 * bytes, one byte at a time, nothing else (no quotes, no numbers, no cells). Prints the two counts so the
 * loop cannot be optimised away and the caller can check them against the file.
 *
 *   cc -O2 -o count_fields Benchmarks/scan_c/count_fields.c && ./count_fields FILE
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: count_fields FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    static unsigned char buffer[1 << 20];
    unsigned long long newlines = 0, commas = 0;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0) {
            perror(argv[1]);
            return 1;
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; i++) {
            newlines += buffer[i] == '\n';
            commas += buffer[i] == ',';
        }
    }
    close(fd);
    printf("%llu newlines, %llu commas\n", newlines, commas);
    return 0;
}
