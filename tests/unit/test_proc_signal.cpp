// Signal names as vzkillall accepts and prints them.
#define BOOST_TEST_MODULE test_proc_signal
#include <boost/test/unit_test.hpp>

#include "vzkit/proc/signal.h"

#include <signal.h>

#include <string>

BOOST_AUTO_TEST_CASE(names_with_and_without_sig_in_any_case) {
    BOOST_TEST(vz::parse_signal("TERM").value() == SIGTERM);
    BOOST_TEST(vz::parse_signal("SIGTERM").value() == SIGTERM);
    BOOST_TEST(vz::parse_signal("term").value() == SIGTERM);
    BOOST_TEST(vz::parse_signal("sigKill").value() == SIGKILL);
    BOOST_TEST(vz::parse_signal("HUP").value() == SIGHUP);
    BOOST_TEST(vz::parse_signal("USR1").value() == SIGUSR1);
    BOOST_TEST(vz::parse_signal("STOP").value() == SIGSTOP);
    BOOST_TEST(vz::parse_signal("CONT").value() == SIGCONT);
    // Aliases.
    BOOST_TEST(vz::parse_signal("IOT").value() == SIGABRT);
    BOOST_TEST(vz::parse_signal("CLD").value() == SIGCHLD);
    BOOST_TEST(vz::parse_signal("IO").value() == SIGPOLL);
}

BOOST_AUTO_TEST_CASE(numbers_and_realtime) {
    BOOST_TEST(vz::parse_signal("9").value() == 9);
    BOOST_TEST(vz::parse_signal("0").value() == 0); // existence check only
    BOOST_TEST(vz::parse_signal(std::to_string(SIGRTMAX)).value() == SIGRTMAX);
    BOOST_TEST(!vz::parse_signal(std::to_string(SIGRTMAX + 1)));
    BOOST_TEST(vz::parse_signal("RTMIN").value() == SIGRTMIN);
    BOOST_TEST(vz::parse_signal("SIGRTMIN+2").value() == SIGRTMIN + 2);
    BOOST_TEST(vz::parse_signal("RTMAX-1").value() == SIGRTMAX - 1);
    BOOST_TEST(vz::parse_signal("rtmax").value() == SIGRTMAX);
    BOOST_TEST(!vz::parse_signal("RTMIN-1"));
    BOOST_TEST(!vz::parse_signal("RTMAX+1"));
    BOOST_TEST(!vz::parse_signal("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN + 1)));
}

BOOST_AUTO_TEST_CASE(bad_names_are_refused) {
    for (std::string bad : {"", "BOGUS", "SIG", "-9", "+9", "9x", "TERM ", " TERM", "SIGSIGTERM",
                            "99999999999999999999", "RTMIN+", "RTMINX"})
        BOOST_TEST(!vz::parse_signal(bad), "'" << bad << "'");
}

BOOST_AUTO_TEST_CASE(names_of_numbers) {
    BOOST_TEST(vz::signal_name(SIGTERM) == "TERM");
    BOOST_TEST(vz::signal_name(SIGKILL) == "KILL");
    BOOST_TEST(vz::signal_name(SIGABRT) == "ABRT"); // not its alias IOT
    BOOST_TEST(vz::signal_name(SIGCHLD) == "CHLD");
    BOOST_TEST(vz::signal_name(SIGRTMIN) == "RTMIN");
    BOOST_TEST(vz::signal_name(SIGRTMIN + 3) == "RTMIN+3");
    BOOST_TEST(vz::signal_name(SIGRTMAX - 2) == "RTMAX-2");
    BOOST_TEST(vz::signal_name(0) == "0");
    for (int s = 1; s <= SIGRTMAX; ++s) {
        if (s > SIGSYS && s < SIGRTMIN)
            continue; // glibc reserves these for itself
        BOOST_TEST(vz::parse_signal(vz::signal_name(s)).value() == s, "signal " << s);
    }
}

BOOST_AUTO_TEST_CASE(list_as_killall_prints_it) {
    BOOST_TEST(vz::signal_list() ==
               "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT\n"
               "CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH POLL PWR SYS\n");
}
