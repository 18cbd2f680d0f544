/* Shared by the C tests: reads a whole file into a NUL-terminated heap buffer. */
#ifndef LEADSCORE_TEST_READ_FILE_H
#define LEADSCORE_TEST_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The file's bytes plus a terminating NUL (free() it), or NULL when the file cannot be
 * opened or read. `len`, when not NULL, receives the byte count. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

#endif
