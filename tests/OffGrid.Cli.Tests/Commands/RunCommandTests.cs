using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

public sealed partial class RunCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task OneShotPromptPrintsTheStory()
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "--temperature", "0", "--max-tokens", "40");

        result.AssertSuccess();
        Assert.Contains("there was a little girl named Lily", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["(stopped at --max-tokens 40; raise it with -n)"], result.ErrorLines);
    }

    [Fact]
    public async Task ABaseModelContinuesTheTextAndStopsAtTheDefaultLimit()
    {
        // stories260K has no chat template and never produces its end token: without a limit it would fill the context.
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "--verbose");

        result.AssertSuccess();
        Assert.StartsWith(", there was", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("256", TokensPerSecond().Match(result.Stderr).Groups["output"].Value);
        Assert.Equal("(stopped at --max-tokens 256; raise it with -n)", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task MoreThreadsThanCoresAreLoweredWithAWarning()
    {
        // 500 threads on a few cores take turns at every step: one token took minutes before they were lowered.
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "500", "Once upon a time", "--temperature", "0", "-n", "4");

        result.AssertSuccess();
        int cores = Environment.ProcessorCount;
        Assert.Equal($"Warning: --threads 500 is more than the {cores} cores this process may use; using {cores}.", result.ErrorLines[0]);
    }

    [Fact]
    public async Task CacheTypesTheModelsHeadsCannotHoldAreRefusedInOneLine()
    {
        // stories260K's attention heads hold 8 values, fewer than a q8_0 block: without flash attention llama.cpp ran and wrote garbage.
        CliResult run = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "Once upon a time", "-n", "4", "--cache-type-k", "q8_0", "--flash-attn", "off");
        Assert.Equal(
            "offgrid: 'stories260K' cannot use the K cache type q8_0: its block size 32 does not divide the model's key head size 8 (n_embd_head_k); use f16, bf16 or f32 for this model.",
            run.AssertOneLineFailure());

        CliResult show = await _cli.RunAsync("show", TestPaths.Stories260K, "--cache-type-v", "q4_0");
        Assert.Contains("cannot use the V cache type q4_0: its block size 32 does not divide the model's value head size 8", show.AssertOneLineFailure(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowWarnsAboutAContextBeyondTheTrainedOne()
    {
        CliResult beyond = await _cli.RunAsync("show", TestPaths.Stories260K, "--ctx", "10000");
        beyond.AssertSuccess();
        Assert.Equal(["Warning: --ctx 10000 is more than the 2,048 tokens the model was trained on; beyond them its answers degrade."], beyond.ErrorLines);

        CliResult within = await _cli.RunAsync("show", TestPaths.Stories260K, "--ctx", "2048");
        within.AssertSuccess();
        Assert.Empty(within.ErrorLines);

        // Spectre pads each row to the console width; a file or pipe gets the rows without that tail.
        Assert.Contains("Trained context", within.Stdout, StringComparison.Ordinal);
        Assert.All(within.Stdout.Split('\n'), line => Assert.Equal(line.TrimEnd(' '), line));
    }

    [Fact]
    public async Task KvCacheTypesAndFlashAttentionAreAcceptedByLlamaCppsNames()
    {
        // Quantized cache blocks hold 32 values: the head length must be a multiple of 32.
        string model = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { EmbeddingLength = 128, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 256 });
        CliResult result = await _cli.RunAsync("run", model, "--threads", "1", "hello", "--temperature", "0", "-n", "8", "--cache-type-k", "q8_0", "--cache-type-v", "q4_0", "--flash-attn", "auto", "--verbose");
        result.AssertSuccess();
        Assert.Matches(TokensPerSecond(), result.Stderr);

        CliResult f16 = await _cli.RunAsync("show", model, "--ctx", "4096", "--json");
        CliResult q8 = await _cli.RunAsync("show", model, "--ctx", "4096", "--cache-type-k", "q8_0", "--cache-type-v", "q8_0", "--json");
        long KvBytes(CliResult show) => JsonDocument.Parse(show.Stdout).RootElement.GetProperty("memory").GetProperty("kv_cache_bytes").GetInt64();
        Assert.Equal(KvBytes(f16) * 34 / 64, KvBytes(q8));
    }

    [Theory]
    [InlineData("--cache-type-k", "q9_0", "q8_0")]
    [InlineData("--flash-attn", "maybe", "auto")]
    public async Task UnknownCacheSettingsAreUsageErrors(string option, string value, string suggested)
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "hello", option, value);
        Assert.Contains(suggested, result.AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQuantizedValueCacheWithoutFlashAttentionIsAUsageError()
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "hello", "--cache-type-v", "q8_0", "--flash-attn", "off");
        Assert.Contains("needs flash attention", result.AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipedInputIsThePrompt()
    {
        CliResult result = await _cli.RunWithInputAsync("Once upon a time\n", "run", TestPaths.Stories260K, "--threads", "1", "--temperature", "0", "-n", "40", "--verbose");

        result.AssertSuccess();
        Assert.Contains("Lily", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(TokensPerSecond(), result.Stderr);
    }

    [Fact]
    public async Task JsonOptionConstrainsTheAnswerToJson()
    {
        CliResult result = await _cli.RunAsync("run", TestLlamaModels.Tiny, "--threads", "1", "Give me JSON.", "--json", "--seed", "3", "--temperature", "0.7", "-n", "900");

        result.AssertSuccess();
        using JsonDocument answer = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, answer.RootElement.ValueKind);
    }

    [Fact]
    public async Task InteractiveChatKeepsHistoryUntilClearedAndReadsBlocks()
    {
        const string input =
            "/chat\n" +
            "Once upon a time\n" +
            "The end\n" +
            "/clear\n" +
            "/set top-p 5\n" +
            "\"\"\"\nThe\nend\n\"\"\"\n" +
            "/set temperature 0\n" +
            "/nonsense\n" +
            "/exit\n" +
            "Never sent\n";

        CliResult result = await _cli.RunWithInputAsync(input, "run", TestPaths.Stories260K, "--threads", "1", "--interactive", "--temperature", "0", "-n", "12", "--verbose");

        result.AssertSuccess();
        int[] promptTokens = [.. TokensPerSecond().Matches(result.Stderr).Select(m => int.Parse(m.Groups["prompt"].Value, CultureInfo.InvariantCulture))];
        Assert.Equal(3, promptTokens.Length);
        Assert.True(promptTokens[1] > promptTokens[0] + 12, $"the second turn carries the first: {string.Join(", ", promptTokens)}");
        Assert.True(promptTokens[2] < promptTokens[1], $"/clear forgets the history: {string.Join(", ", promptTokens)}");
        Assert.Contains("Conversation cleared.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("has no chat template (a base model)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Chat mode: messages are sent as a conversation", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("temperature set to 0", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("top-p must be a number from 0 to 1; 5 is not. It stays as it was.", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Unknown command /nonsense", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Lily", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CtrlCStopsTheAnswerButNotTheChat()
    {
        // With this seed the random-weight model writes 1679 tokens before its end token (greedy ends after ~110), and a
        // base model's chat answers stop at 256 tokens unless -n says otherwise: over a second even on an idle machine.
        string slow = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec
        {
            EmbeddingLength = 512, BlockCount = 4, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1024, WeightType = OffGrid.Testing.Gguf.GgufTensorType.Q8_0, Seed = 7,
        });
        using CliProcess chat = await _cli.StartAsync("run", slow, "--threads", "1", "-i", "--temperature", "1", "--seed", "4", "-n", "2000", "--ctx", "2048");
        await chat.Input.WriteLineAsync("Once upon a time");
        await chat.Input.FlushAsync(TestContext.Current.CancellationToken);
        await chat.WaitForOutputAsync(output => output.Length > 20);

        await chat.InterruptAsync();

        await Task.Delay(500, TestContext.Current.CancellationToken);
        await chat.Input.WriteLineAsync("/exit");
        chat.Input.Close();
        CliResult result = await chat.WaitAsync();

        result.AssertSuccess();
        Assert.Contains("answer stopped", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"(?<output>\d+) tokens, [\d.]+ tokens/s \(prompt (?<prompt>\d+) tokens")]
    private static partial Regex TokensPerSecond();
}
