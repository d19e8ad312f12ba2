using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Cli.Tests.Commands;

public sealed class QuantizeCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task QuantizeWritesAStoreEntryThatListShowsAndRunRuns()
    {
        string source = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { EmbeddingLength = 256, FeedForwardLength = 256, WeightType = GgufTensorType.F16 });

        CliResult quantized = await _cli.RunAsync("quantize", source, "q4_k_m", "--output", "local/tiny-q4");
        quantized.AssertSuccess();
        Assert.Contains("local/tiny-q4", quantized.Stdout, StringComparison.Ordinal);
        Assert.Contains("Quantizing to Q4_K_M: 100% (tensor", quantized.Stderr, StringComparison.Ordinal);

        CliResult list = await _cli.RunAsync("list", "--json");
        list.AssertSuccess();
        JsonElement model = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        Assert.Equal("local/tiny-q4", model.GetProperty("name").GetString());
        Assert.Equal("Q4_K_M", model.GetProperty("quantization").GetString());

        // The table's date column fits a copy made here as well as a download.
        CliResult table = await _cli.RunAsync("list");
        Assert.Matches(@"│\s*Added\s*│", table.Stdout);
        Assert.DoesNotContain("Downloaded", table.Stdout, StringComparison.Ordinal);

        CliResult show = await _cli.RunAsync("show", "local/tiny-q4", "--json");
        show.AssertSuccess();
        Assert.Equal("Q4_K_M", JsonDocument.Parse(show.Stdout).RootElement.GetProperty("quantization").GetString());

        (await _cli.RunAsync("run", "local/tiny-q4", "--threads", "1", "the", "--temperature", "0", "-n", "3")).AssertSuccess();

        string exists = (await _cli.RunAsync("quantize", source, "Q4_K_M", "--output", "local/tiny-q4")).AssertOneLineFailure();
        Assert.Contains("already holds a model named 'local/tiny-q4'", exists, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoProcessesQuantizingToOneOutputStoreOneAndRefuseTheOther()
    {
        CliResult[] runs = await Task.WhenAll(
            _cli.RunAsync("quantize", TestPaths.Stories260K, "Q5_0", "--output", "local/race"),
            _cli.RunAsync("quantize", TestPaths.Stories260K, "Q4_0", "--output", "local/race"));

        CliResult stored = Assert.Single(runs, r => r.ExitCode == 0);
        CliResult second = Assert.Single(runs, r => r.ExitCode != 0);
        Assert.Equal(1, second.ExitCode);
        Assert.StartsWith("offgrid: The store already holds a model named 'local/race'", second.ErrorLines.Last(l => !l.StartsWith("Quantizing", StringComparison.Ordinal)), StringComparison.Ordinal);
        string path = stored.Stdout.Trim().Split(" is ready: ")[1];
        Assert.True(File.Exists(path), $"'{path}' was reported ready but is not there");
        CliResult show = await _cli.RunAsync("show", "local/race", "--json");
        show.AssertSuccess();
        Assert.EndsWith($"-{JsonDocument.Parse(show.Stdout).RootElement.GetProperty("quantization").GetString()}.gguf", path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Q2_0IsLabelledByItsNameAndQ1_0FailsInOneReadableLine()
    {
        CliResult quantized = await _cli.RunAsync("quantize", TestPaths.Stories260K, "Q2_0", "--output", "local/s-q2");
        quantized.AssertSuccess();
        Assert.StartsWith("local/s-q2 (Q2_0, ", quantized.Stdout.Trim(), StringComparison.Ordinal);
        CliResult show = await _cli.RunAsync("show", "local/s-q2", "--json");
        show.AssertSuccess();
        Assert.Equal("Q2_0", JsonDocument.Parse(show.Stdout).RootElement.GetProperty("quantization").GetString());

        // stories260K's rows (64) fit no 128-weight Q1_0 block, and llama.cpp has no fallback type for Q1_0.
        Assert.Equal(
            "offgrid: llama.cpp could not quantize the model to Q1_0: token_embd.weight - ncols 64 not divisible by 128 (required for type q1_0); no tensor type fallback is defined for type q1_0",
            (await _cli.RunAsync("quantize", TestPaths.Stories260K, "Q1_0")).ErrorLines[^1]);
    }

    [Fact]
    public async Task NonsenseIsRefusedInOneLine()
    {
        string source = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { WeightType = GgufTensorType.Q8_0 });
        Assert.Contains("not a quantization type", (await _cli.RunAsync("quantize", source, "Q7_X")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("would not reduce its precision", (await _cli.RunAsync("quantize", source, "F16")).AssertOneLineFailure(), StringComparison.Ordinal);
        string text = Path.Combine(_cli.Home, "notes.gguf");
        await File.WriteAllTextAsync(text, "no model here", TestContext.Current.CancellationToken);
        Assert.Contains("not a GGUF model file", (await _cli.RunAsync("quantize", text, "Q4_0")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        (await _cli.RunAsync("quantize", "no-such-model", "Q4_0")).AssertOneLineFailure();

        // A bare name that is an existing file here (the CLI runs in this process's folder) is reported as that file; a file
        // that is no model, named by the user, is a usage error (exit 2), as a malformed model reference is.
        string notes = $"notes-{Guid.NewGuid():N}.md";
        await File.WriteAllTextAsync(notes, "# not a model", TestContext.Current.CancellationToken);
        try
        {
            Assert.Contains($"'{Path.GetFullPath(notes)}' is not a GGUF model file.", (await _cli.RunAsync("quantize", notes, "Q4_0")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
            Assert.Contains("is not a GGUF model file.", (await _cli.RunAsync("show", notes)).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notes);
        }

        (await _cli.RunAsync("quantize", source)).AssertOneLineFailure(expectedExitCode: 2);
        foreach (string output in (string[])["../evil", "/tmp/abs", new string('x', 300)])
        {
            Assert.Contains("The output name is refused", (await _cli.RunAsync("quantize", source, "Q4_0", "--output", output)).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("evil", (await _cli.RunAsync("list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportanceMatrixTypesAreRefusedAndFallbacksAreCounted()
    {
        // stories260K's rows (64) fit no 256-weight block: llama.cpp wrote other types for every tensor and the store said IQ2_XXS.
        string refused = (await _cli.RunAsync("quantize", TestPaths.Stories260K, "IQ2_XXS")).AssertOneLineFailure();
        Assert.Equal("offgrid: IQ2_XXS needs an importance matrix (imatrix), which OffGrid cannot compute yet; choose a type of 3 bits or more, such as Q3_K_M or Q4_K_M.", refused);

        CliResult q4 = await _cli.RunAsync("quantize", TestPaths.Stories260K, "Q4_K_M");
        q4.AssertSuccess();
        Assert.Matches(@"Warning: llama\.cpp wrote \d+ of local/stories260K-Q4_K_M's tensors as other types than Q4_K_M", q4.Stderr);
    }
}
