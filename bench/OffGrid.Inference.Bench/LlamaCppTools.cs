using System.Diagnostics;
using System.Text.Json;
using OffGrid.Testing;

namespace OffGrid.Inference.Bench;

/// <summary>
/// llama.cpp's own <c>llama-bench</c>, built from the same sources as OffGrid's runtime by
/// <c>bench/llama-cpp/build-tools.sh</c> (which reuses its cache, or takes about 15 minutes the first time).
/// </summary>
internal sealed class LlamaCppTools
{
    private LlamaCppTools(string binDir) => BinDir = binDir;

    public string BinDir { get; }

    public string LlamaBench => Path.Combine(BinDir, "llama-bench");

    public string LlamaServer => Path.Combine(BinDir, "llama-server");

    /// <summary>Runs the build script (a no-op when the tools are built) and returns the tools.</summary>
    public static LlamaCppTools Build(TextWriter log)
    {
        string script = Path.Combine(TestPaths.RepoRoot, "bench", "llama-cpp", "build-tools.sh");
        log.WriteLine("llama.cpp tools: reusing the cached build, or building llama-bench and llama-server (about 15 minutes the first time) ...");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed with exit code {process.ExitCode}.");
        }

        return new LlamaCppTools(output.TrimEnd().Split('\n')[^1]);
    }

    /// <summary>One llama-bench measurement: tokens per second of <c>-p prompt -n generate</c> (one of them 0), one repetition.</summary>
    public double RunLlamaBench(string model, int threads, int prompt, int generate)
    {
        var start = new ProcessStartInfo(LlamaBench, [
            "-m", model, "-t", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-p", prompt.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", generate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-r", "1", "-o", "json"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string json = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"llama-bench failed: {errors.Result.Trim()}");
        }

        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement[0].GetProperty("avg_ts").GetDouble();
    }
}
