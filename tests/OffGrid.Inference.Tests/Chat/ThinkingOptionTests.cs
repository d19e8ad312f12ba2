using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Chat;

/// <summary><c>enable_thinking</c> as a chat option: on by default where the template supports it, as in llama.cpp.</summary>
public sealed class ThinkingOptionTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void EnableThinkingKeyDecides(bool? value, bool? expected)
    {
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } };
        if (value is { } v)
        {
            options.AdditionalProperties = new() { [LlamaChatOptions.EnableThinkingKey] = JsonSerializer.SerializeToElement(v) };
        }

        Assert.Equal(expected ?? true, LlamaChatOptions.GetEnableThinking(options));
    }

    [Fact]
    public void ReasoningEffortNoneTurnsThinkingOff()
    {
        Assert.False(LlamaChatOptions.GetEnableThinking(new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } }));
        Assert.Null(LlamaChatOptions.GetEnableThinking(new ChatOptions()));
        Assert.Throws<InvalidRequestException>(() => LlamaChatOptions.GetEnableThinking(new ChatOptions { AdditionalProperties = new() { [LlamaChatOptions.EnableThinkingKey] = "maybe" } }));
    }

    [Fact]
    public async Task ThePromptFollowsTheOption()
    {
        await TestRuntime.EnsureLoadedAsync();
        using LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
        {
            ChatTemplate = await File.ReadAllTextAsync(Path.Combine(LlamaCppSources.TemplatesDir, "Qwen-QwQ-32B.jinja"), TestContext.Current.CancellationToken),
            SpecialTokens = ["<|im_start|>", "<|im_end|>"],
            EndOfTurnToken = "<|im_end|>",
        }), cancellationToken: TestContext.Current.CancellationToken);
        var formatter = new ChatPromptFormatter(model, useJinja: true, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        ChatMessage[] messages = [new(ChatRole.User, "Why?")];

        string byDefault = formatter.Format(messages, []).Text;
        string on = formatter.Format(messages, [], enableThinking: true).Text;
        string off = formatter.Format(messages, [], enableThinking: false).Text;
        Assert.Equal(on, byDefault);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n", on, StringComparison.Ordinal);
        Assert.NotEqual(on, off);
    }
}
