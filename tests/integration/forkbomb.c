/* vzkit-forkbomb SECONDS [INTERVAL_MS]: a fork bomb bounded in time, for
 * tests/integration/t_forkbomb.sh. Every process, the children included,
 * forks in a loop, sleeping INTERVAL_MS (default 20) after each attempt
 * whether it succeeded or was refused, until SECONDS have passed since the
 * first one started; then each exits. The first process prints how many of
 * its own forks succeeded and how many were refused (and the last errno).
 * Static, because the test containers' busybox root has no C library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: vzkit-forkbomb SECONDS [INTERVAL_MS]\n");
        return 2;
    }
    const double deadline = now() + atof(argv[1]);
    const long interval_ms = argc == 3 ? atol(argv[2]) : 20;
    const struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
    const pid_t first = getpid();
    unsigned long forked = 0, refused = 0;
    int last_errno = 0;
    while (now() < deadline) {
        pid_t pid = fork();
        if (pid == 0) {
            forked = refused = 0; /* a child counts its own */
        } else if (pid < 0) {
            refused++;
            last_errno = errno;
        } else {
            forked++;
        }
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        nanosleep(&pause, NULL);
    }
    if (getpid() == first) {
        printf("forked %lu refused %lu errno %d\n", forked, refused, last_errno);
        fflush(stdout);
    }
    return 0;
}
