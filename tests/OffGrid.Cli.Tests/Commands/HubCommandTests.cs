using System.Globalization;
using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

public sealed class HubCommandTests : IAsyncLifetime
{
    private const string TransferProgressMessage = "Cancelled; the partial download is kept and the next attempt resumes it.";
    private const string StoriesName = "ggml-org/models/tinyllamas/stories260K.gguf";

    private readonly OffGridCli _cli = new();
    private LoopbackHubServer _hub = null!;

    public ValueTask InitializeAsync()
    {
        _hub = LoopbackHubServer.Start();
        _hub.AddRepo(new LoopbackModelRepo { Id = "ggml-org/models", Downloads = 5, Files = { ["tinyllamas/stories260K.gguf"] = TestPaths.Stories260K } });
        _hub.AddRepo(new LoopbackModelRepo
        {
            Id = "acme/Tiny-Chat-GGUF",
            Downloads = 1234,
            Likes = 56,
            Files =
            {
                ["tiny-chat-Q8_0.gguf"] = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { WeightType = GgufTensorType.Q8_0 }),
                ["tiny-chat-F16.gguf"] = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { WeightType = GgufTensorType.F16 }),
            },
        });
        _cli.Environment["HF_ENDPOINT"] = _hub.BaseUri.ToString();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task RunDownloadsAMissingModelThenListShowAndRemoveIt()
    {
        CliResult list = await _cli.RunAsync("list");
        list.AssertSuccess();
        Assert.Contains("offgrid run", list.Stdout, StringComparison.Ordinal); // the starter suggestion

        CliResult run = await _cli.RunAsync("run", "stories260k", "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "30");
        run.AssertSuccess();
        Assert.Contains("Lily", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Pulling", run.Stderr, StringComparison.Ordinal);

        int requests = _hub.Requests.Count;
        CliResult again = await _cli.RunAsync("run", "stories260k", "--threads", "1", "Once upon a time", "--temperature", "0", "-n", "5");
        again.AssertSuccess();
        Assert.Equal(requests, _hub.Requests.Count); // served from the store, offline

        CliResult listed = await _cli.RunAsync("list");
        listed.AssertSuccess();
        Assert.Contains(StoriesName, listed.Stdout, StringComparison.Ordinal);

        CliResult show = await _cli.RunAsync("show", "stories260k", "--json");
        show.AssertSuccess();
        using (JsonDocument details = JsonDocument.Parse(show.Stdout))
        {
            Assert.Equal("llama", details.RootElement.GetProperty("architecture").GetString());
            Assert.Equal(512, details.RootElement.GetProperty("vocab_size").GetInt32());
            Assert.True(details.RootElement.GetProperty("memory").GetProperty("total_bytes").GetInt64() > 1_000_000);
        }

        (await _cli.RunAsync("rm", "stories260k")).AssertSuccess();
        CliResult empty = await _cli.RunAsync("list", "--json");
        empty.AssertSuccess();
        Assert.Equal(0, JsonDocument.Parse(empty.Stdout).RootElement.GetArrayLength());
        (await _cli.RunAsync("rm", "stories260k")).AssertOneLineFailure();
        (await _cli.RunAsync("show", "stories260k")).AssertOneLineFailure();
    }

    // A split model is shown, and runs, as the whole model, whichever part is named.
    [Fact]
    public async Task ShowAndRunOfASplitModelCoverAllParts()
    {
        var spec = new TestLlamaModelSpec();
        IReadOnlyList<string> parts = TestLlamaModels.CreateWriter(spec).WriteSplit(Path.Combine(_cli.Home, "tiny"), 2);
        CliResult whole = await _cli.RunAsync("show", TestLlamaModels.GetOrCreate(spec), "--json");
        CliResult first = await _cli.RunAsync("show", parts[0], "--json");
        whole.AssertSuccess();
        first.AssertSuccess();
        using JsonDocument expected = JsonDocument.Parse(whole.Stdout);
        using JsonDocument actual = JsonDocument.Parse(first.Stdout);
        Assert.Equal(expected.RootElement.GetProperty("parameter_count").GetInt64(), actual.RootElement.GetProperty("parameter_count").GetInt64());
        Assert.Equal(expected.RootElement.GetProperty("memory").GetProperty("weights_bytes").GetInt64(), actual.RootElement.GetProperty("memory").GetProperty("weights_bytes").GetInt64());
        Assert.Equal(parts.Sum(p => new FileInfo(p).Length), actual.RootElement.GetProperty("file_length").GetInt64());

        (await _cli.RunAsync("run", parts[1], "--threads", "1", "hello", "-n", "3")).AssertSuccess();
    }

    [Fact]
    public async Task DownloadHfTakesTheQuantizationAsked()
    {
        CliResult pull = await _cli.RunAsync("download-hf", "acme/Tiny-Chat-GGUF", "--quant", "F16", "--json");

        pull.AssertSuccess();
        using JsonDocument manifest = JsonDocument.Parse(pull.Stdout);
        Assert.Equal("acme/Tiny-Chat-GGUF:F16", manifest.RootElement.GetProperty("name").GetString());
        Assert.True(File.Exists(manifest.RootElement.GetProperty("path").GetString()));

        CliResult list = await _cli.RunAsync("list", "--json");
        Assert.Equal("F16", JsonDocument.Parse(list.Stdout).RootElement[0].GetProperty("quantization").GetString());

        string missing = (await _cli.RunAsync("pull", "acme/Tiny-Chat-GGUF:Q2_K")).AssertOneLineFailure();
        Assert.Contains("Q2_K", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchListsModelsWithTheCommandToDownloadThem()
    {
        CliResult table = await _cli.RunAsync("search", "tiny");
        table.AssertSuccess();
        Assert.Contains("acme/Tiny-Chat-GGUF", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(1234.ToString("N0", CultureInfo.InvariantCulture), table.Stdout, StringComparison.Ordinal);
        Assert.Contains("offgrid pull acme/Tiny-Chat-GGUF:", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ggml-org/models", table.Stdout, StringComparison.Ordinal);

        CliResult json = await _cli.RunAsync("search", "--sort", "likes", "--limit", "5", "--json");
        json.AssertSuccess();
        using JsonDocument results = JsonDocument.Parse(json.Stdout);
        JsonElement first = results.RootElement[0];
        Assert.Equal("acme/Tiny-Chat-GGUF", first.GetProperty("id").GetString());
        Assert.Equal(56, first.GetProperty("likes").GetInt64());
        Assert.StartsWith("offgrid pull acme/Tiny-Chat-GGUF", first.GetProperty("command").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledPullKeepsThePartialDownloadAndResumes()
    {
        _hub.WriteDelay = TimeSpan.FromMilliseconds(150);
        using (CliProcess pull = await _cli.StartAsync("pull", "stories260k"))
        {
            await pull.WaitForErrorAsync(e => e.Contains("Pulling", StringComparison.Ordinal));
            await Task.Delay(300, TestContext.Current.CancellationToken);
            await pull.InterruptAsync();

            CliResult cancelled = await pull.WaitAsync();
            Assert.Equal(130, cancelled.ExitCode);
            Assert.Equal(["Pulling stories260k (1.2 MB)...", "offgrid: " + TransferProgressMessage], cancelled.ErrorLines);
        }

        _hub.WriteDelay = TimeSpan.Zero;
        (await _cli.RunAsync("pull", "stories260k")).AssertSuccess();
        Assert.Contains(_hub.Requests, r => r.Contains("/cdn/", StringComparison.Ordinal) && r.Contains("bytes=", StringComparison.Ordinal) && !r.Contains("bytes=0-", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _hub.DisposeAsync();
    }
}
