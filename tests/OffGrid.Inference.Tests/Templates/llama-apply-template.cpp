// Renders chat templates the way llama-server's /apply-template does (tools/server: oaicompat_chat_params_parse with the
// server's defaults), through llama.cpp's own common library (libllama-common.so of the runtime OffGrid pins).
// Usage: llama-apply-template <cases-dir> <unix-time>
// Each sub-folder of <cases-dir> holds template.jinja, bos.txt, eos.txt, messages.json and tools.json (OpenAI shapes);
// the program writes prompt.txt, or error.txt with the reason llama.cpp refused it.
#include "chat.h"
#include "json.h"
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

static std::string read_file(const std::filesystem::path & path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

static void write_file(const std::filesystem::path & path, const std::string & text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

int main(int argc, char ** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <cases-dir> <unix-time>\n", argv[0]);
        return 2;
    }
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(argv[2])));
    for (const auto & entry : std::filesystem::directory_iterator(argv[1])) {
        if (!entry.is_directory()) continue;
        const auto dir = entry.path();
        try {
            auto tmpls = common_chat_templates_init(nullptr, read_file(dir / "template.jinja"), read_file(dir / "bos.txt"), read_file(dir / "eos.txt"));
            const auto caps = common_chat_templates_get_caps(tmpls.get());
            common_chat_templates_inputs inputs;
            inputs.messages = common_chat_msgs_parse_oaicompat(common_json::parse(read_file(dir / "messages.json")));
            inputs.tools = common_chat_tools_parse_oaicompat(common_json::parse(read_file(dir / "tools.json")));
            inputs.tool_choice = common_chat_tool_choice_parse_oaicompat("auto");
            inputs.use_jinja = true;
            inputs.parallel_tool_calls = caps.count("supports_parallel_tool_calls") && caps.at("supports_parallel_tool_calls");
            inputs.add_generation_prompt = true;
            inputs.reasoning_format = COMMON_REASONING_FORMAT_DEEPSEEK;
            inputs.enable_thinking = common_chat_templates_support_enable_thinking(tmpls.get());
            inputs.now = now;
            auto params = common_chat_templates_apply(tmpls.get(), inputs);
            write_file(dir / "prompt.txt", params.prompt);
        } catch (const std::exception & e) {
            write_file(dir / "error.txt", e.what());
        }
    }
    return 0;
}
