// ptyrun SECONDS COMMAND: the admin's terminal. Runs `bash -c COMMAND` on a new
// pty (forkpty, so it is the session's controlling terminal), copies what
// appears on the terminal to stdout, and prints "PTYRUN exit=N" (124 when
// SECONDS passed and the command was killed). Nothing is ever typed into the
// pty: whatever the command reads from it was put there by someone else.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: ptyrun SECONDS COMMAND\n");
        return 2;
    }
    int timeout = atoi(argv[1]);
    int master;
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        perror("forkpty");
        return 2;
    }
    if (pid == 0) {
        execl("/bin/bash", "bash", "-c", argv[2], (char *)NULL);
        _exit(127);
    }
    time_t end = time(NULL) + timeout;
    int status = 0, done = 0, killed = 0;
    char buf[4096];
    for (;;) {
        struct pollfd p = {master, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r > 0) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) {
                fwrite(buf, 1, n, stdout);
                fflush(stdout);
                continue;
            }
            if (done)
                break;
        }
        if (!done && waitpid(pid, &status, WNOHANG) == pid)
            done = 1;
        if (done && r == 0)
            break;
        if (done && r < 0)
            break;
        if (!done && time(NULL) > end) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            killed = 1;
            done = 1;
        }
    }
    printf("\nPTYRUN exit=%d\n", killed ? 124 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
