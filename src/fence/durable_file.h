// Replacing a small file so that after a crash or power loss it holds either
// the old or the new content, and the new content once this returns.
#pragma once

#include <filesystem>
#include <string_view>

namespace poolha::fence {

// Writes `content` to a temporary beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory (creating the directory if missing).
// Throws std::system_error naming the step that failed.
void replace_file_durably(const std::filesystem::path& path, std::string_view content);

}  // namespace poolha::fence
