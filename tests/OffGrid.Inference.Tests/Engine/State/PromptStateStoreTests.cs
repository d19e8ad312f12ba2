using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Engine.State;

public sealed class PromptStateStoreTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "offgrid-prompt-states-" + Guid.NewGuid().ToString("N"));
    private LlamaModel _stories = null!;
    private int[] _prompt = [];

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _stories = await LlamaModel.LoadAsync(TestPaths.Stories260K);
        _prompt = EngineRuns.Tokenize(_stories, EngineRuns.RepeatingStory);
    }

    public ValueTask DisposeAsync()
    {
        _stories.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RestartedEngineRestoresThePromptAndEvaluatesOnlyNewTokens()
    {
        (string cold, GenerationUpdate coldLast) = await RunOnNewEngineAsync(_prompt);
        Assert.Equal(0, coldLast.CachedPromptTokens);
        Assert.Single(StateFiles());

        // A new engine stands for a restarted process or a model the pool unloaded and loaded again.
        (string restored, GenerationUpdate restoredLast) = await RunOnNewEngineAsync(_prompt);

        Assert.Equal(cold, restored);
        Assert.Equal(_prompt.Length - 1, restoredLast.CachedPromptTokens); // the last prompt token gives the first logits
    }

    [Fact]
    public async Task NextTurnAfterRestartReusesTheWholeSavedConversation()
    {
        (_, GenerationUpdate first) = await RunOnNewEngineAsync(_prompt);
        int[] nextTurn = [.. _prompt, .. first.OutputTokenIds, .. _stories.Tokenize(" The end.", addSpecial: false, parseSpecial: false)];

        (string restored, GenerationUpdate restoredLast) = await RunOnNewEngineAsync(nextTurn);
        (string cold, _) = await RunOnNewEngineAsync(nextTurn, cacheEnabled: false);

        Assert.Equal(cold, restored);

        // Everything but the last answer token (sampled, never decoded) and the new text came from the file.
        Assert.Equal(_prompt.Length + first.OutputTokenIds.Count - 1, restoredLast.CachedPromptTokens);
    }

    [Fact]
    public async Task EachKvCacheTypeRestoresItsOwnStates()
    {
        await RunOnNewEngineAsync(_prompt);

        // llama.cpp cannot load an f16 state into an f32 cache: an f32 engine neither tries nor is blocked by it.
        var logger = new FakeLogger<LlamaEngine>();
        (_, GenerationUpdate f32Cold) = await RunOnNewEngineAsync(_prompt, logger: logger, cacheType: GgmlType.F32);
        (_, GenerationUpdate f32Hit) = await RunOnNewEngineAsync(_prompt, cacheType: GgmlType.F32);
        (_, GenerationUpdate f16Hit) = await RunOnNewEngineAsync(_prompt);

        Assert.Equal(0, f32Cold.CachedPromptTokens);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(_prompt.Length - 1, f32Hit.CachedPromptTokens);
        Assert.Equal(_prompt.Length - 1, f16Hit.CachedPromptTokens);
        Assert.Equal(2, StateFiles().Length);
    }

    [Fact]
    public async Task DamagedStateFileIsIgnoredWithAWarning()
    {
        (string cold, _) = await RunOnNewEngineAsync(_prompt);
        string file = Assert.Single(StateFiles());
        byte[] bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);

        var logger = new FakeLogger<LlamaEngine>();
        (string again, GenerationUpdate last) = await RunOnNewEngineAsync(_prompt, logger: logger);

        Assert.Equal(cold, again);
        Assert.Equal(0, last.CachedPromptTokens);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("checksum", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileWithADamagedHeaderLengthIsAMissAndIsReplaced()
    {
        (string cold, _) = await RunOnNewEngineAsync(_prompt);
        string file = Assert.Single(StateFiles());
        byte[] bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        bytes.AsSpan(8, 4).Fill(0xFF); // the model fingerprint's 7-bit encoded length, past the magic and the version
        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);

        var logger = new FakeLogger<LlamaEngine>();
        (string again, GenerationUpdate missed) = await RunOnNewEngineAsync(_prompt, logger: logger);
        (_, GenerationUpdate hit) = await RunOnNewEngineAsync(_prompt);

        Assert.Equal(cold, again);
        Assert.Equal(0, missed.CachedPromptTokens);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("header is damaged", StringComparison.Ordinal));
        Assert.True(hit.CachedPromptTokens > 0);
    }

    [Fact]
    public async Task TruncatedAndForeignFilesAreIgnoredWithWarnings()
    {
        await RunOnNewEngineAsync(_prompt);
        string file = Assert.Single(StateFiles());
        string folder = Path.GetDirectoryName(file)!;
        await File.WriteAllBytesAsync(Path.Combine(folder, "cut.kvstate"), (await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken))[..10], TestContext.Current.CancellationToken);

        // A state of another model (here: the fingerprint in the header changed) must not be loaded.
        File.Move(file, Path.Combine(folder, "foreign.kvstate"));
        await RenameModelInHeaderAsync(Path.Combine(folder, "foreign.kvstate"));

        var logger = new FakeLogger<LlamaEngine>();
        (_, GenerationUpdate last) = await RunOnNewEngineAsync(_prompt, logger: logger);

        Assert.Equal(0, last.CachedPromptTokens);
        IReadOnlyList<FakeLogRecord> warnings = [.. logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning)];
        Assert.Contains(warnings, r => r.Message.Contains("cut.kvstate", StringComparison.Ordinal) && r.Message.Contains("cut short", StringComparison.Ordinal));
        Assert.Contains(warnings, r => r.Message.Contains("foreign.kvstate", StringComparison.Ordinal) && r.Message.Contains("another model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatesBeyondTheSizeLimitAreEvictedLeastRecentlyUsedFirst()
    {
        await RunOnNewEngineAsync(_prompt);
        long oneState = new FileInfo(Assert.Single(StateFiles())).Length;
        int[] other = EngineRuns.Tokenize(_stories, "Tom had a little boat. He liked to sail it on the lake with his friends every day after school. " + EngineRuns.RepeatingStory);

        await RunOnNewEngineAsync(other, maxBytes: oneState * 3 / 2);

        string remaining = Assert.Single(StateFiles());
        Assert.True(new FileInfo(remaining).Length > oneState, "the newer, longer state stays; the older one made room");
    }

    private string[] StateFiles() => Directory.Exists(_folder) ? Directory.GetFiles(_folder, "*.kvstate", SearchOption.AllDirectories) : [];

    private static async Task RenameModelInHeaderAsync(string path)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path);
        int at = bytes.AsSpan().IndexOf("stories260K"u8);
        Assert.True(at > 0);
        bytes[at] = (byte)'S';
        await File.WriteAllBytesAsync(path, bytes);
    }

    private async Task<(string Text, GenerationUpdate Last)> RunOnNewEngineAsync(int[] prompt, bool cacheEnabled = true, long maxBytes = 1L << 30, ILogger<LlamaEngine>? logger = null, GgmlType? cacheType = null)
    {
        var options = new LlamaEngineOptions
        {
            ParallelSequences = 1,
            ContextSize = 512,
            CacheTypeK = cacheType,
            CacheTypeV = cacheType,
            PromptCache = { Enabled = cacheEnabled, Directory = _folder, MinTokens = 16, MaxBytes = maxBytes },
        };
        using var engine = new LlamaEngine(_stories, options, logger);
        return await EngineRuns.GreedyAsync(engine, prompt, 24, TestContext.Current.CancellationToken);
    }
}
