using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OpenAI;
using OpenAI.Chat;

namespace OffGrid.AspNetCore.Tests.Samples;

/// <summary>
/// <c>samples/OffGrid.Samples.OpenAiServer</c>, an existing minimal-API app that maps OffGrid's OpenAI endpoints, run as a
/// real process and driven with the official OpenAI .NET SDK.
/// </summary>
public sealed class OpenAiServerSampleTests
{
    private static readonly string s_assembly = typeof(OpenAiServerSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OpenAiServerSampleAssembly").Value!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheOfficialSdkChatsWithTheSamplesLocalModel()
    {
        LlamaRuntime runtime = await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu }, cancellationToken: Token);
        string home = TestPaths.NewTempDir("offgrid-sample");
        int port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { s_assembly, "--Model", TestPaths.Stories260K, "--urls", $"http://127.0.0.1:{port}" },
            Environment = { ["OFFGRID_HOME"] = home, ["OFFGRID_LLAMA_PATH"] = runtime.LibraryDirectory },
        };
        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync(Token);
        _ = process.StandardOutput.ReadToEndAsync(Token);
        try
        {
            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient { BaseAddress = baseUri };
            await WaitUntilListeningAsync(http, process, errors);
            var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(baseUri, "v1") });

            ChatCompletion completion = await client.GetChatClient("local").CompleteChatAsync(
                [new UserChatMessage("Once upon a time")], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 }, Token);

            Assert.Contains("Lily", completion.Content[0].Text, StringComparison.Ordinal);
            Assert.Equal("local", completion.Model);
            Assert.StartsWith("My app.", await http.GetStringAsync("/", Token), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task WaitUntilListeningAsync(HttpClient http, Process process, Task<string> errors)
    {
        for (int i = 0; i < 600; i++)
        {
            if (process.HasExited)
            {
                Assert.Fail($"The sample exited with {process.ExitCode}: {await errors}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync("/", Token);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, Token);
            }
        }

        Assert.Fail("The sample did not start listening within a minute.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
