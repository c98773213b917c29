// sechost: host-side fixtures for the security tests.
//   addkey NAME        add_key("user", NAME) to the user keyring; prints the id
//   delkey ID          invalidate it
//   shm KEY            create a SysV shm segment with KEY; prints the id
//   shmrm ID           remove it
//   listen NAME SECS   listen on the abstract unix socket @NAME for SECS
//                      seconds; prints "listening" once bound, "accepted" on
//                      every connection
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && !strcmp(argv[1], "addkey")) {
        long id = syscall(SYS_add_key, "user", argv[2], "vzkit-host-payload", 18, -4);
        if (id < 0) { perror("add_key"); return 1; }
        printf("%ld\n", id);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "delkey")) {
        if (syscall(SYS_keyctl, 21 /* KEYCTL_INVALIDATE */, atol(argv[2])) != 0) { perror("keyctl"); return 1; }
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "shm")) {
        int id = shmget((key_t)strtol(argv[2], NULL, 0), 4096, IPC_CREAT | IPC_EXCL | 0600);
        if (id < 0) { perror("shmget"); return 1; }
        printf("%d\n", id);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "shmrm")) {
        return shmctl(atoi(argv[2]), IPC_RMID, NULL) == 0 ? 0 : 1;
    }
    if (argc == 4 && !strcmp(argv[1], "listen")) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        size_t l = strlen(argv[2]);
        memcpy(a.sun_path + 1, argv[2], l);
        if (bind(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 1 + l) != 0 ||
            listen(s, 16) != 0) { perror("bind"); return 1; }
        printf("listening\n");
        time_t end = time(NULL) + atoi(argv[3]);
        while (time(NULL) < end) {
            struct pollfd p = {s, POLLIN, 0};
            if (poll(&p, 1, 200) > 0) {
                int c = accept(s, NULL, NULL);
                if (c >= 0) { printf("accepted\n"); close(c); }
            }
        }
        return 0;
    }
    fprintf(stderr, "usage: sechost addkey|delkey|shm|shmrm|listen ...\n");
    return 2;
}
