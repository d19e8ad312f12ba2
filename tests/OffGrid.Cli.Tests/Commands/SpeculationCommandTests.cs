using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

public sealed partial class SpeculationCommandTests : IDisposable
{
    private const string Story =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. " +
        "One day, Lily saw a big red ball. She ran to get it and played with it all day. " +
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. " +
        "One day, Lily saw a big red ball.";

    private readonly OffGridCli _cli = new();

    [Fact]
    public async Task PromptLookupAndDraftModelPrintTheSameGreedyAnswerAndReportDrafts()
    {
        CliResult plain = await RunStoryAsync();
        CliResult ngram = await RunStoryAsync("--spec-ngram", "3", "--draft-max", "8");
        CliResult drafted = await RunStoryAsync("--draft-model", TestPaths.Stories260K, "--draft-max", "4");

        plain.AssertSuccess();
        ngram.AssertSuccess();
        drafted.AssertSuccess();
        Assert.Equal(plain.Stdout, ngram.Stdout);
        Assert.Equal(plain.Stdout, drafted.Stdout);
        Assert.DoesNotMatch(Drafts(), plain.Stderr);
        Assert.Matches(Drafts(), ngram.Stderr);
        Match self = Drafts().Match(drafted.Stderr);
        Assert.True(self.Success, drafted.Stderr);
        Assert.Equal(self.Groups["drafted"].Value, self.Groups["accepted"].Value);
    }

    [Fact]
    public async Task ShortPromptsWithThePromptCacheAndAnswersWithNothingDraftedSaySo()
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--prompt-cache", "--spec-ngram", "3", "--temperature", "0", "-n", "2", "--verbose", "Once upon a time");

        result.AssertSuccess();
        Assert.Contains("; 0 of 0 drafted tokens accepted", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("(--prompt-cache: this prompt has 5 tokens; only prompts of 256 tokens or more are saved and restored)", result.ErrorLines);
    }

    [Fact]
    public async Task DraftModelWithAnotherTokenizerFailsInOneLineNamingBothModels()
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--draft-model", TestLlamaModels.Tiny, "Hello", "-n", "4");

        string line = result.AssertOneLineFailure();
        Assert.Contains("cannot draft for", line, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(TestLlamaModels.Tiny), line, StringComparison.Ordinal);
        Assert.Contains("stories260K.gguf", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APromptCacheFolderThatCannotBeCreatedIsOneLineBeforeTheModelLoads()
    {
        string cache = Path.Combine(_cli.Home, "cache");
        await File.WriteAllTextAsync(cache, "not a folder", TestContext.Current.CancellationToken);

        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--prompt-cache", "-n", "2", "Once upon a time");

        string line = result.AssertOneLineFailure();
        Assert.StartsWith($"offgrid: --prompt-cache: the prompt cache folder '{Path.Combine(cache, "prompt-states")}' cannot be used: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DraftModelAndNgramTogetherAreAUsageError()
    {
        CliResult result = await _cli.RunAsync("run", TestPaths.Stories260K, "--draft-model", TestPaths.Stories260K, "--spec-ngram", "3", "Hello");

        string line = result.AssertOneLineFailure(2);
        Assert.Contains("--draft-model and --spec-ngram cannot be used together", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptCacheLetsTheNextRunSkipTheLongPrompt()
    {
        // Over 256 tokens, the least a saved state holds by default.
        string prompt = string.Concat(Enumerable.Repeat(Story + " ", 3));

        CliResult first = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--prompt-cache", "--temperature", "0", "-n", "16", "--verbose", prompt);
        CliResult second = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--prompt-cache", "--temperature", "0", "-n", "16", "--verbose", prompt);

        first.AssertSuccess();
        second.AssertSuccess();
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.DoesNotContain("cached", first.Stderr, StringComparison.Ordinal);

        // The rate is of the evaluated tokens only: restored ones cost no evaluation.
        Match cached = Regex.Match(second.Stderr, @"prompt (?<prompt>\d+) tokens: (?<cached>\d+) cached, (?<evaluated>\d+) evaluated at [\d.]+ tokens/s");
        Assert.True(cached.Success, second.Stderr);
        Assert.Equal(int.Parse(cached.Groups["prompt"].Value, CultureInfo.InvariantCulture) - int.Parse(cached.Groups["cached"].Value, CultureInfo.InvariantCulture), int.Parse(cached.Groups["evaluated"].Value, CultureInfo.InvariantCulture));
        string[] states = Directory.GetFiles(Path.Combine(_cli.Home, "cache", "prompt-states"), "*.kvstate", SearchOption.AllDirectories);
        Assert.NotEmpty(states);

        // A state the engine cannot use is not skipped silently: --verbose says which file and why.
        foreach (string state in states)
        {
            byte[] bytes = await File.ReadAllBytesAsync(state, TestContext.Current.CancellationToken);
            bytes[bytes.Length / 2] ^= 0xFF;
            await File.WriteAllBytesAsync(state, bytes, TestContext.Current.CancellationToken);
        }

        CliResult damaged = await _cli.RunAsync("run", TestPaths.Stories260K, "--threads", "1", "--prompt-cache", "--temperature", "0", "-n", "1", "--verbose", prompt);
        damaged.AssertSuccess();
        Assert.Contains("Ignoring the saved prompt state", damaged.Stderr, StringComparison.Ordinal);
        Assert.Contains("checksum does not match", damaged.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerTakesSpeculationAndPromptCacheFromConfiguration()
    {
        using CliProcess server = await _cli.StartAsync(
            "serve", "--port", "0", "--Server:Models:stories=" + TestPaths.Stories260K, "--Server:Pool:Engine:ContextSize", "512",
            "--Server:Pool:Engine:Speculation:NgramSize", "3", "--Server:Pool:Engine:PromptCache:Enabled", "true", "--Server:Pool:Engine:PromptCache:MinTokens", "16");
        await server.WaitForOutputAsync(output => output.Contains("Ctrl+C stops the server.", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = new Uri(Banner().Match(server.Stdout).Groups["url"].Value + "/") };
        var request = new { model = "stories", prompt = Story, raw = true, stream = false, options = new { temperature = 0, num_predict = 24 } };

        using JsonDocument first = JsonDocument.Parse(await (await http.PostAsJsonAsync("api/generate", request, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using JsonDocument second = JsonDocument.Parse(await (await http.PostAsJsonAsync("api/generate", request, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(first.RootElement.GetProperty("response").GetString(), second.RootElement.GetProperty("response").GetString());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_cli.Home, "cache", "prompt-states"), "*.kvstate", SearchOption.AllDirectories));
        await server.InterruptAsync();
        (await server.WaitAsync()).AssertSuccess();
    }

    [Fact]
    public async Task AMissingDraftModelIsNamedAsTheDraftModel()
    {
        string missing = Path.Combine(_cli.Home, "missing-draft.gguf");

        string line = (await _cli.RunAsync("run", TestPaths.Stories260K, "Hello", "-n", "4", "--draft-model", missing)).AssertOneLineFailure();

        Assert.Equal($"offgrid: --draft-model: The model file '{missing}' does not exist.", line);
    }

    [Fact]
    public async Task ServerWithAMissingDraftModelFailsToStartInOneLine()
    {
        string missing = Path.Combine(_cli.Home, "missing-draft.gguf");

        CliResult result = await _cli.RunAsync("serve", "--port", "0", "--Server:Pool:Engine:Speculation:DraftModelPath", missing);

        string line = result.AssertOneLineFailure(2);
        Assert.Contains($"Server:Pool:Engine:Speculation:DraftModelPath '{missing}' does not exist", line, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private Task<CliResult> RunStoryAsync(params string[] extra) =>
        _cli.RunAsync(["run", TestPaths.Stories260K, "--threads", "1", "--temperature", "0", "-n", "48", "--verbose", Story, .. extra]);

    [GeneratedRegex(@"OffGrid server on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Banner();

    [GeneratedRegex(@"; (?<accepted>\d+) of (?<drafted>\d+) drafted tokens accepted")]
    private static partial Regex Drafts();
}
