// `sekimori eval EXPR` — evaluates one CEL expression over a JSON or YAML document.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cel/program.h"
#include "cli/commands.h"
#include "core/diagnostics.h"
#include "formats/document.h"

namespace sekimori::cli {

namespace {

struct EvalArgs {
  std::string expression;
  std::string input;
  std::vector<std::string> vars;
  std::vector<std::string> unknowns;
  std::string now;
  int indent = 0;
};

// Prints the expression with a caret under the column of a parse or compile error.
void print_expression_error(const std::string& expression, const core::Error& error) {
  std::cerr << "error: " << error.message << " [" << error.code << "]\n";
  if (error.location && error.location->has_position()) {
    std::cerr << "  at column " << error.location->column;
    if (error.location->line > 1) std::cerr << " of line " << error.location->line;
    std::cerr << ":\n";
    std::string snippet =
        core::make_snippet(expression, error.location->line, error.location->column);
    size_t start = 0;
    while (start <= snippet.size()) {
      size_t nl = snippet.find('\n', start);
      if (nl == std::string::npos) nl = snippet.size();
      std::cerr << "    " << snippet.substr(start, nl - start) << '\n';
      start = nl + 1;
    }
  }
}

int run_eval(const EvalArgs& args) {
  core::Diagnostics diags;
  std::vector<std::string> declared = {"input", "now"};
  // Documents must outlive the evaluation: values borrow from them.
  std::vector<std::unique_ptr<formats::Document>> docs;
  cel::Activation activation;

  auto load = [&](const std::string& path, std::string text, bool from_text) -> const formats::Node* {
    core::Result<formats::Document> doc =
        from_text ? formats::load_document(path, std::move(text), formats::Limits{}, diags)
                  : formats::load_file(path, formats::Limits{}, diags);
    if (!doc.ok()) {
      diags.add_error(doc.error());
      return nullptr;
    }
    docs.push_back(std::make_unique<formats::Document>(std::move(doc).value()));
    return &docs.back()->root();
  };

  std::string input_path = args.input;
  if (input_path.empty() && !isatty(STDIN_FILENO)) input_path = "-";
  if (!input_path.empty()) {
    if (const formats::Node* root = load(input_path, {}, false)) {
      activation.bind("input", cel::Value::from_node(*root));
    }
  }
  for (const std::string& var : args.vars) {
    size_t eq = var.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --var expects NAME=JSON, got '" << var << "'\n";
      return kExitUsage;
    }
    std::string name = var.substr(0, eq);
    if (const formats::Node* root = load("--var " + name, var.substr(eq + 1), true)) {
      activation.bind(name, cel::Value::from_node(*root));
      declared.push_back(name);
    }
  }
  if (!diags.empty()) std::cerr << diags.to_text();
  if (diags.has_errors()) return kExitUsage;

  cel::Timestamp now{};
  if (!args.now.empty()) {
    auto t = cel::parse_timestamp(args.now);
    if (!t.ok()) {
      std::cerr << "error: --now: " << t.error().message << '\n';
      return kExitUsage;
    }
    now = *t;
  } else {
    auto wall = std::chrono::system_clock::now().time_since_epoch();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count();
    now = {ns / 1'000'000'000, static_cast<int32_t>(ns % 1'000'000'000)};
  }
  activation.set_now(now);
  activation.bind("now", cel::Value::timestamp(now));
  for (const std::string& u : args.unknowns) activation.add_unknown(u);

  cel::CompileOptions options;
  options.variables = declared;
  auto program = cel::Program::compile(args.expression, options);
  if (!program.ok()) {
    print_expression_error(args.expression, program.error());
    return kExitUsage;
  }
  cel::Value result = program->evaluate(activation);
  if (result.is_error()) {
    std::cerr << "error: " << result.error_message() << '\n';
    return kExitFailed;
  }
  std::cout << cel::to_json(result, args.indent) << '\n';
  return kExitOk;
}

}  // namespace

void add_eval_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a CEL expression over a JSON or YAML document");
  cmd->add_option("expression", args->expression, "The CEL expression")->required();
  cmd->add_option("-i,--input", args->input,
                  "Document bound to 'input' (JSON or YAML, detected from content; '-' for "
                  "standard input, which is also read when it is piped and no --input is given)");
  cmd->add_option("--var", args->vars, "Bind another variable: NAME=JSON (repeatable)");
  cmd->add_option("--unknown", args->unknowns,
                  "Mark an attribute path unknown, e.g. input.a.b or input.items.*.port (repeatable)");
  cmd->add_option("--now", args->now, "The time bound to 'now' (RFC 3339; default: the clock)");
  cmd->add_flag_callback("--pretty", [args] { args->indent = 2; }, "Indent the JSON result");
  cmd->footer(
      "The result is printed as JSON. An unknown result prints as {\"unknown\": [attributes]}.\n"
      "Exit codes: 0 a value; 1 the expression evaluated to an error; 2 bad usage, an\n"
      "unreadable input or an expression that does not parse (the column is shown).\n"
      "Example: echo '{\"a\":[1,2,3]}' | sekimori eval 'input.a.exists(x, x > 2)'");
  cmd->callback([args, &run] { run = [args] { return run_eval(*args); }; });
}

}  // namespace sekimori::cli
