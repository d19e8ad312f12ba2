using System.Diagnostics;
using System.Reflection;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Samples;

/// <summary><c>samples/OffGrid.Samples.Chat</c> run as its header comment says, as a real process.</summary>
public sealed class ChatSampleTests
{
    private static readonly string s_assembly = typeof(ChatSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ChatSampleAssembly").Value!;

    [Fact]
    public async Task TheSampleStreamsTheStoryAndComparesTwoEmbeddings()
    {
        CancellationToken token = TestContext.Current.CancellationToken;
        LlamaRuntime runtime = await TestRuntime.EnsureLoadedAsync();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { s_assembly, TestPaths.Stories260K, "Once upon a time" },
            Environment = { ["OFFGRID_HOME"] = TestPaths.NewTempDir("offgrid-chat-sample"), ["OFFGRID_LLAMA_PATH"] = runtime.LibraryDirectory },
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(token);
        Task<string> errors = process.StandardError.ReadToEndAsync(token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, await errors);
        Assert.Contains("Lily", await output, StringComparison.Ordinal);
        Assert.Matches(@"cosine similarity: 0\.\d{3}", await output);
    }
}
