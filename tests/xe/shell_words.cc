#include "shell_words.h"

#include <cctype>
#include <stdexcept>

namespace poolha::xe::testing {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

class Expander {
 public:
  Expander(std::string_view text, ShellState& state, bool split)
      : text_(text), state_(state), split_(split) {}

  std::vector<std::string> run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (is_blank(c)) {
        ++pos_;
        if (split_)
          end_word();
        else
          current_ += c;
      } else if (c == '\'') {
        started_ = true;
        const auto close = text_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) throw std::runtime_error("unterminated single quote");
        current_ += text_.substr(pos_ + 1, close - pos_ - 1);
        pos_ = close + 1;
      } else if (c == '"') {
        started_ = true;
        double_quoted();
      } else if (c == '\\' && pos_ + 1 < text_.size()) {
        started_ = true;
        current_ += text_[pos_ + 1];
        pos_ += 2;
      } else if (c == '$' || c == '`') {
        unquoted_expansion(expansion());
      } else {
        started_ = true;
        current_ += c;
        ++pos_;
      }
    }
    end_word();
    return words_;
  }

 private:
  void end_word() {
    if (started_ || !current_.empty()) words_.push_back(current_);
    current_.clear();
    started_ = false;
  }

  // An expansion outside quotes is split into fields on blanks.
  void unquoted_expansion(const std::string& value) {
    if (!split_) {
      current_ += value;
      return;
    }
    for (char c : value) {
      if (is_blank(c)) {
        end_word();
      } else {
        current_ += c;
      }
    }
  }

  void double_quoted() {
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) throw std::runtime_error("unterminated double quote");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\' && pos_ + 1 < text_.size() &&
          std::string_view("$`\"\\").find(text_[pos_ + 1]) != std::string_view::npos) {
        current_ += text_[pos_ + 1];
        pos_ += 2;
      } else if (c == '$' || c == '`') {
        current_ += expansion();
      } else {
        current_ += c;
        ++pos_;
      }
    }
  }

  // The value of the expansion starting at pos_ ('$' or '`').
  std::string expansion() {
    if (text_[pos_] == '`') {
      const auto close = text_.find('`', pos_ + 1);
      if (close == std::string_view::npos) throw std::runtime_error("unterminated backquote");
      const std::string command(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return substitute(command);
    }
    ++pos_;  // '$'
    if (pos_ < text_.size() && text_[pos_] == '(') {
      const auto close = text_.find(')', pos_);
      if (close == std::string_view::npos) throw std::runtime_error("unterminated $(");
      const std::string command(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return substitute(command);
    }
    std::string name;
    if (pos_ < text_.size() && text_[pos_] == '{') {
      const auto close = text_.find('}', pos_);
      if (close == std::string_view::npos) throw std::runtime_error("unterminated ${");
      name = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
    } else {
      while (pos_ < text_.size() && is_name_char(text_[pos_])) name += text_[pos_++];
    }
    if (name.empty()) return "$";
    const auto found = state_.variables.find(name);
    return found == state_.variables.end() ? "" : found->second;
  }

  std::string substitute(const std::string& command) {
    std::string output = state_.run(command);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
  }

  std::string_view text_;
  ShellState& state_;
  bool split_;
  std::size_t pos_ = 0;
  std::string current_;
  bool started_ = false;  // the current word has a quoted or literal part
  std::vector<std::string> words_;
};

}  // namespace

std::vector<std::string> shell_words(std::string_view line, ShellState& state) {
  return Expander(line, state, true).run();
}

std::string shell_expand_word(std::string_view word, ShellState& state) {
  const auto words = Expander(word, state, false).run();
  return words.empty() ? "" : words.front();
}

}  // namespace poolha::xe::testing
