/* A power cut for the crash test: loaded into the kiosk with LD_PRELOAD, it keeps, for every
 * file under $KIOSK_POWERCUT_DIR, a copy of what the last fsync/fdatasync made durable
 * ("<file>.synced"). After the kiosk is killed, the test puts each file back to that copy (and
 * removes files that were never synced): what was written but not synced is lost, as when the
 * power fails with the page cache unwritten. SQLite's shared-memory index ("-shm") is never on
 * a disk and is not kept. Built by tests/crash.rs with the system's C compiler. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int watched(const char *path) {
    const char *dir = getenv("KIOSK_POWERCUT_DIR");
    if (dir == NULL || *dir == '\0') return 0;
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/' && strstr(path, "-shm") == NULL &&
           strstr(path, ".synced") == NULL;
}

/* Copies what the file holds now (just synced) to "<file>.synced", atomically. */
static void keep_image(int fd) {
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, path, sizeof path - 1);
    if (len < 0) return;
    path[len] = '\0';
    if (!watched(path)) return;
    char image[PATH_MAX + 16], partial[PATH_MAX + 24];
    snprintf(image, sizeof image, "%s.synced", path);
    snprintf(partial, sizeof partial, "%s.synced.part", path);
    int out = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return;
    char buffer[65536];
    off_t offset = 0;
    ssize_t got;
    while ((got = pread(fd, buffer, sizeof buffer, offset)) > 0) {
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(out, buffer + done, (size_t)(got - done));
            if (put <= 0) { close(out); unlink(partial); return; }
            done += put;
        }
        offset += got;
    }
    close(out);
    rename(partial, image);
}

int fsync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    int result = real(fd);
    if (result == 0) keep_image(fd);
    return result;
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    int result = real(fd);
    if (result == 0) keep_image(fd);
    return result;
}

/* A file removed is removed with its durable copy (SQLite deletes its WAL on a clean close). */
int unlink(const char *path) {
    static int (*real)(const char *);
    if (real == NULL) real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    int result = real(path);
    if (result == 0 && watched(path)) {
        char image[PATH_MAX + 16];
        snprintf(image, sizeof image, "%s.synced", path);
        real(image);
    }
    return result;
}
