using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;

namespace OffGrid.Inference.ToolCalls;

/// <summary>
/// Builds the grammar that enforces a <see cref="ChatToolMode"/>: the calls are written the way the model family
/// writes them (<see cref="ToolCallFormat"/>), with arguments constrained by each function's JSON schema.
/// </summary>
internal static class ToolCallGrammarBuilder
{
    private const string JsonNameKey = "\"\\\"name\\\"\"";

    /// <summary>
    /// The grammar for <paramref name="mode"/>, or <see langword="null"/> when no call can be made (mode <c>None</c>, or no functions).
    /// <c>Auto</c> (or no mode) gives a lazy grammar with triggers; <c>RequireAny</c> and <c>RequireSpecific</c> give a grammar
    /// that applies from the first token.
    /// </summary>
    /// <param name="tools">The tools offered; only <see cref="AIFunctionDeclaration"/>s can be called.</param>
    /// <param name="mode">The tool mode of the request.</param>
    /// <param name="format">The model family's call format.</param>
    /// <param name="maxCalls">How many calls one response may hold (1 when parallel calls are not allowed).</param>
    /// <param name="options">Bounds for the argument grammars.</param>
    /// <exception cref="ArgumentException">The required function is not among the tools.</exception>
    /// <exception cref="OffGrid.Inference.Grammar.UnsupportedSchemaException">A function's parameter schema cannot be enforced.</exception>
    public static ToolCallGrammar? ForToolMode(IEnumerable<AITool>? tools, ChatToolMode? mode, ToolCallFormat format, int maxCalls = 4, JsonGrammarOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCalls, 1);
        List<AIFunctionDeclaration> functions = tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        if (mode is NoneChatToolMode || functions.Count == 0)
        {
            return null;
        }

        if (mode is RequiredChatToolMode { RequiredFunctionName: { } required })
        {
            functions = functions.Where(f => f.Name == required).ToList();
            if (functions.Count == 0)
            {
                throw new InvalidRequestException($"The required function '{required}' is not among the tools.", "tool_choice");
            }
        }

        var builder = new JsonSchemaGrammarBuilder(options);
        var calls = new List<string>();
        foreach (AIFunctionDeclaration function in functions)
        {
            JsonElement schema = function.JsonSchema.ValueKind == JsonValueKind.Object ? function.JsonSchema : JsonSerializer.SerializeToElement(new { type = "object" });
            string arguments = builder.AddSchema(schema, function.Name + "-args");
            calls.Add(builder.Rules.Add(function.Name + "-call", CallExpression(format, function.Name, arguments)));
        }

        string call = builder.Rules.Add("tool-call", string.Join(" | ", calls));
        GbnfGrammar grammar = builder.Rules.Build(RootExpression(format, call, maxCalls));
        if (mode is RequiredChatToolMode)
        {
            return new ToolCallGrammar(grammar, IsLazy: false, [], []);
        }

        (IReadOnlyList<string> patterns, IReadOnlyList<string> words) = Triggers(format, functions);
        return new ToolCallGrammar(grammar, IsLazy: true, patterns, words);
    }

    // Calls are compact JSON: whitespace between tokens would only spend the token budget.
    private static string CallExpression(ToolCallFormat format, string name, string arguments)
    {
        string jsonName = JsonSchemaGrammarBuilder.JsonStringLiteral(name);
        string rawName = GbnfRuleSet.Literal(name);
        string JsonCall(string argumentsKey) =>
            $"\"{{\" {JsonNameKey} \":\" {jsonName} \",\" {JsonSchemaGrammarBuilder.JsonStringLiteral(argumentsKey)} \":\" {arguments} \"}}\"";

        return format switch
        {
            ToolCallFormat.Hermes => $"{GbnfRuleSet.Literal(ToolCallMarkers.HermesOpen + "\n")} {JsonCall("arguments")} {GbnfRuleSet.Literal("\n" + ToolCallMarkers.HermesClose)}",
            ToolCallFormat.Llama3Json => JsonCall("parameters"),
            ToolCallFormat.MistralNameArgs => $"{GbnfRuleSet.Literal(ToolCallMarkers.MistralCalls)} {rawName} {GbnfRuleSet.Literal(ToolCallMarkers.MistralArgs)} {arguments}",
            ToolCallFormat.FunctionaryV32 => $"{rawName} \"\\n\" {arguments}",
            ToolCallFormat.FunctionaryV31 => $"{GbnfRuleSet.Literal(ToolCallMarkers.FunctionOpen)} {rawName} \">\" {arguments} {GbnfRuleSet.Literal(ToolCallMarkers.FunctionClose)}",
            ToolCallFormat.DeepSeekV3 => $"{GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallBegin)} {rawName} {GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekSeparator)} {arguments} {GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallEnd)}",
            ToolCallFormat.DeepSeekR1 => $"{GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallBegin + "function" + ToolCallMarkers.DeepSeekSeparator)} {rawName} {GbnfRuleSet.Literal("\n```json\n")} {arguments} {GbnfRuleSet.Literal("\n```" + ToolCallMarkers.DeepSeekCallEnd)}",
            _ => JsonCall("arguments"),
        };
    }

    private static string RootExpression(ToolCallFormat format, string call, int maxCalls)
    {
        string Repeat(string separator) => maxCalls == 1 ? call : $"{call} ({separator} {call}){{0,{maxCalls - 1}}}";

        return format switch
        {
            ToolCallFormat.Hermes => Repeat("\"\\n\""),
            ToolCallFormat.Llama3Json => $"{GbnfRuleSet.Literal(ToolCallMarkers.PythonTag)}? {Repeat("\"\\n\"")}",
            ToolCallFormat.MistralJsonArray => $"{GbnfRuleSet.Literal(ToolCallMarkers.MistralCalls + "[")} {Repeat("\",\"")} \"]\"",
            ToolCallFormat.MistralNameArgs or ToolCallFormat.FunctionaryV31 => Repeat("\"\""),

            // The prompt ends with ">>>", so the first one is optional.
            ToolCallFormat.FunctionaryV32 => $"{GbnfRuleSet.Literal(ToolCallMarkers.FunctionaryRecipient)}? {Repeat(GbnfRuleSet.Literal(ToolCallMarkers.FunctionaryRecipient))}",
            ToolCallFormat.DeepSeekR1 => $"{GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallsBegin)} {Repeat("\"\\n\"")} {GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallsEnd)}",
            ToolCallFormat.DeepSeekV3 => $"{GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallsBegin)} {Repeat("\"\"")} {GbnfRuleSet.Literal(ToolCallMarkers.DeepSeekCallsEnd)}",
            _ => $"{GbnfRuleSet.Literal("{\"tool_calls\":[")} {Repeat("\",\"")} {GbnfRuleSet.Literal("]}")}",
        };
    }

    private static (IReadOnlyList<string> Patterns, IReadOnlyList<string> Words) Triggers(ToolCallFormat format, IReadOnlyList<AIFunctionDeclaration> functions)
    {
        string[] words = format switch
        {
            ToolCallFormat.Hermes => [ToolCallMarkers.HermesOpen],
            ToolCallFormat.Llama3Json => [ToolCallMarkers.PythonTag],
            ToolCallFormat.MistralJsonArray or ToolCallFormat.MistralNameArgs => [ToolCallMarkers.MistralCalls],
            ToolCallFormat.FunctionaryV32 => [.. functions.Select(f => ToolCallMarkers.FunctionaryRecipient + f.Name)],
            ToolCallFormat.FunctionaryV31 => [ToolCallMarkers.FunctionOpen],
            ToolCallFormat.DeepSeekR1 or ToolCallFormat.DeepSeekV3 => [ToolCallMarkers.DeepSeekCallsBegin],
            _ => [],
        };

        var patterns = words.Select(Regex.Escape).ToList();
        switch (format)
        {
            case ToolCallFormat.Llama3Json:
                // A bare JSON call counts only as the whole answer.
                patterns.Add(@"^\s*(\{\s*""name""\s*:)[\s\S]*$");
                break;
            case ToolCallFormat.FunctionaryV32:
                // The first recipient follows the ">>>" that ends the prompt.
                patterns.Add("^(" + string.Join("|", functions.Select(f => Regex.Escape(f.Name))) + @")\n[\s\S]*$");
                break;
            case ToolCallFormat.GenericJson:
                patterns.Add(@"^\s*(\{\s*""tool_calls""\s*:)[\s\S]*$");
                break;
        }

        return (patterns, words);
    }
}
