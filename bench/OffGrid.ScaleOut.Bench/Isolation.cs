using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using OffGrid.Server.Tests.Backends;
using OffGrid.Testing.Models;

/// <summary>
/// `isolation [runs] [tokens]`: the per-token cost of <c>Server:Isolation=Process</c>. Two offgrid-server processes serve the
/// same model on one engine thread, one in process and one through its model worker; each run streams the same greedy
/// answer of <c>tokens</c> tokens from each, alternating which goes first, and times the tokens after the first one as the
/// client receives them. Prints the median time per token of each and the difference (the process boundary's cost).
/// </summary>
internal static class Isolation
{
    public static async Task RunAsync(int runs, int tokens)
    {
        // The model and prompt of IsolationTests: greedy decoding runs to max_tokens without reaching the end token.
        string model = TestLlamaModels.GetOrCreate(new TestLlamaModelSpec { EmbeddingLength = 256, BlockCount = 4, FeedForwardLength = 1024, ContextLength = 4096, Seed = 7 });
        var models = new Dictionary<string, string> { ["slow"] = model };
        string[] settings = ["--Server:Pool:Engine:ContextSize=4096", "--Server:Pool:Engine:ParallelSequences=1"];
        Console.Error.WriteLine("Starting an in-process and an isolated offgrid-server…");
        await using ServerProcess inProcess = await ServerProcess.StartAsync(models, CancellationToken.None, settings);
        await using ServerProcess isolated = await ServerProcess.StartAsync(models, CancellationToken.None, [.. settings, "--Server:Isolation=Process"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        (string Name, ServerProcess Server)[] modes = [("InProcess", inProcess), ("Process", isolated)];
        foreach ((string _, ServerProcess server) in modes)
        {
            await StreamAsync(http, server, 16); // loads the model
        }

        var perToken = modes.ToDictionary(m => m.Name, _ => new List<double>());
        for (int run = 0; run < runs; run++)
        {
            foreach ((string name, ServerProcess server) in run % 2 == 0 ? modes : modes.Reverse())
            {
                (int count, double ms) = await StreamAsync(http, server, tokens);
                perToken[name].Add(ms / (count - 1));
                Console.Error.WriteLine($"run {run + 1} {name}: {count} tokens, {ms / (count - 1):F3} ms/token");
            }
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        double baseline = Median(perToken["InProcess"]);
        Console.WriteLine($"| Isolation | ms/token (median of {runs}) | tokens/s | vs InProcess |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach ((string name, List<double> values) in perToken)
        {
            double median = Median(values);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:F3} | {1000 / median:F0} | {median - baseline:+0.000;-0.000;0.000} ms ({(median / baseline - 1) * 100:+0.0;-0.0;0.0} %) |"));
        }
    }

    /// <summary>Streams a greedy answer and returns how many content chunks came and the time from the first to the last.</summary>
    private static async Task<(int Count, double Milliseconds)> StreamAsync(HttpClient http, ServerProcess server, int tokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUri, "v1/chat/completions"))
        {
            Content = JsonContent.Create(new { model = "slow", messages = new[] { new { role = "user", content = "q" } }, max_tokens = tokens, temperature = 0, stream = true }),
        };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int count = 0;
        long first = 0, last = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Contains("\"content\":", StringComparison.Ordinal))
            {
                last = Stopwatch.GetTimestamp();
                first = count++ == 0 ? last : first;
            }
        }

        return (count, Stopwatch.GetElapsedTime(first, last).TotalMilliseconds);
    }
}
