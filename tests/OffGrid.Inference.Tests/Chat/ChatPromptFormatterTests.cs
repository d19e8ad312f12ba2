using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

public sealed class ChatPromptFormatterTests
{
    // The last round of function invocation offers no tools; a template that knows none must still show the model the
    // call and its result (Phi 3.5's template drops messages whose role it does not know).
    [Fact]
    public async Task CallsAndResultsReachATemplateWithoutToolsWhenNoToolIsOffered()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(TemplateModels.ToolCallFamilies["generic"]), cancellationToken: TestContext.Current.CancellationToken);
        var formatter = new ChatPromptFormatter(model, useJinja: true, NullLogger.Instance);
        ChatMessage[] conversation =
        [
            new(ChatRole.User, "What is the secret of person 3?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_secret", new Dictionary<string, object?> { ["person"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "The secret of person 3 is 4217.")]),
        ];

        string prompt = formatter.Format(conversation, tools: []).Text;

        Assert.Contains("get_secret", prompt, StringComparison.Ordinal);
        Assert.Contains("The secret of person 3 is 4217.", prompt, StringComparison.Ordinal);
        Assert.EndsWith("<|assistant|>\n", prompt, StringComparison.Ordinal);
    }
}
