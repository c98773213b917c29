// The interactive screen of vztop: raw keyboard input and full-screen redraws
// on the terminal's alternate screen, restored however vztop exits.
#pragma once

#include <termios.h>

#include <cstddef>
#include <string>
#include <vector>

class Terminal {
  public:
    Terminal();
    ~Terminal();
    Terminal(const Terminal &) = delete;
    Terminal &operator=(const Terminal &) = delete;

    std::size_t rows() const;
    std::size_t columns() const;
    // Waits up to seconds for a key press: the key, or 0 when the time ran
    // out or a signal arrived.
    int wait_key(double seconds);
    // Replaces the screen with lines (cut to the screen's size).
    void draw(const std::vector<std::string> &lines);

  private:
    termios saved_{};
    bool raw_ = false;
};
