using System.Text.Json;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.Models;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// Grammars built from Unicode text, run through llama.cpp's own grammar sampler on a random-weight model whose
/// vocabulary can spell any UTF-8 byte: the output decodes to exactly the text, whatever plane it is from.
/// </summary>
public sealed class GrammarSamplingTests : IAsyncLifetime
{
    private LlamaModel _model = null!;
    private LlamaEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { AllByteTokens = true }));
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 8, ContextSize = 512 });
    }

    public ValueTask DisposeAsync()
    {
        _engine.Dispose();
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task TheIssuesPatternComesOutExactly()
    {
        var client = new LlamaChatClient(_engine);
        JsonElement schema = JsonSerializer.SerializeToElement(new { type = "string", pattern = "^😀🎉 日本$" });
        string[] outputs = await Task.WhenAll(Enumerable.Range(1, 8).Select(async seed => (await client.GetResponseAsync(
            "Say it.", new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 100, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) },
            TestContext.Current.CancellationToken)).Text));
        Assert.All(outputs, output => Assert.Equal("\"😀🎉 日本\"", output));
    }

    [Fact]
    public async Task RandomTextsFromAllPlanesComeOutExactlyAsConstantsAndPatterns()
    {
        var client = new LlamaChatClient(_engine);
        string[] texts = [.. Gen.Sample(UnicodeGrammarTests.AnyPlaneText, 12).Where(t => t.Length > 0)];
        Assert.NotEmpty(texts);
        await Task.WhenAll(texts.Select(async (text, i) =>
        {
            foreach (JsonElement schema in new[]
            {
                JsonSerializer.SerializeToElement(new { @const = text }),
                JsonSerializer.SerializeToElement(new { type = "string", pattern = "^" + string.Concat(text.Select(c => $"\\u{(int)c:X4}")) + "$" }),
            })
            {
                ChatResponse response = await client.GetResponseAsync(
                    "Write it.", new ChatOptions { Temperature = 1, Seed = i, MaxOutputTokens = 120, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) },
                    TestContext.Current.CancellationToken);
                Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
                Assert.Equal(text, JsonDocument.Parse(response.Text).RootElement.GetString());
                Assert.DoesNotMatch(@"\\u[dD][89a-fA-F]", response.Text);
            }
        }));
    }
}
