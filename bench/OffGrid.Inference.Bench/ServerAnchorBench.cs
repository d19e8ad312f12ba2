using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OffGrid.Server.Tests.Backends;

namespace OffGrid.Inference.Bench;

/// <summary>
/// OffGrid's server against llama.cpp's own <c>llama-server -np 4</c> on the same model over HTTP: 1, 4 and 8 concurrent
/// streamed chat completions of 64 tokens each (OpenAI's <c>/v1/chat/completions</c>, greedy), each side a process of its
/// own with the same threads, 4 parallel sequences and a 2,048-token context. The two alternate run by run; a row's
/// tokens/s is every stream's streamed tokens over the run's wall time.
/// </summary>
internal sealed class ServerAnchorBench(BenchSettings settings, TextWriter log)
{
    private const int Generate = 64;
    private const int ContextPerSlot = 512;

    public async Task<IReadOnlyList<AnchorRow>> RunAsync(string name, string path)
    {
        int threads = settings.Threads ?? 1;
        await using LlamaServerProcess llamaServer = await LlamaServerProcess.StartAsync(path, "model", ContextPerSlot, threads).ConfigureAwait(false);
        await using ServerProcess offGrid = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["model"] = path }, CancellationToken.None,
            $"--Server:Pool:Engine:Threads={threads.ToString(CultureInfo.InvariantCulture)}", "--Server:Pool:Engine:ParallelSequences=4",
            $"--Server:Pool:Engine:ContextSize={(4 * ContextPerSlot).ToString(CultureInfo.InvariantCulture)}", "--Server:Preload:0=model").ConfigureAwait(false);
        using var llamaHttp = new HttpClient { BaseAddress = llamaServer.BaseUri, Timeout = TimeSpan.FromMinutes(5) };
        using var offGridHttp = new HttpClient { BaseAddress = offGrid.BaseUri, Timeout = TimeSpan.FromMinutes(5) };
        await StreamsAsync(llamaHttp, 4, "warm-up").ConfigureAwait(false);
        await StreamsAsync(offGridHttp, 4, "warm-up").ConfigureAwait(false);

        var rows = new List<AnchorRow>();
        int iterations = settings.Iterations ?? (settings.Quick ? 3 : 7);
        foreach (int streams in new[] { 1, 4, 8 })
        {
            string label = $"{name}, HTTP, {streams} stream(s) × {Generate} tokens, {threads} thread(s)";
            double load = LoadAverage.Current;
            var llama = new List<double>();
            var ours = new List<double>();
            for (int i = 0; i < iterations; i++)
            {
                // The same prompts on both sides, new ones each run: a repeated prompt would come from the cache.
                string tag = $"{streams}-{i}";
                (double llamaRate, int llamaTokens) = await StreamsAsync(llamaHttp, streams, tag).ConfigureAwait(false);
                (double ourRate, int ourTokens) = await StreamsAsync(offGridHttp, streams, tag).ConfigureAwait(false);
                llama.Add(llamaRate);
                ours.Add(ourRate);
                log.WriteLine($"  {label}: llama-server {llamaRate:N0} t/s ({llamaTokens} tokens), OffGrid {ourRate:N0} t/s ({ourTokens} tokens)");
            }

            rows.Add(new AnchorRow(label, llama, ours, Generated: 0, load));
        }

        return rows;
    }

    // `streams` concurrent streamed completions; returns the tokens streamed by all of them per second of wall time, and their number.
    private static async Task<(double Rate, int Tokens)> StreamsAsync(HttpClient http, int streams, string tag)
    {
        long started = Stopwatch.GetTimestamp();
        int[] tokens = await Task.WhenAll(Enumerable.Range(0, streams).Select(stream => StreamAsync(http, $"Once upon a time, {tag}-{stream}, there was"))).ConfigureAwait(false);
        return (tokens.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds, tokens.Sum());
    }

    // One streamed completion; returns how many server-sent events carried text (one per token on both servers).
    private static async Task<int> StreamAsync(HttpClient http, string prompt)
    {
        using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "model", stream = true, max_tokens = Generate, temperature = 0, messages = new[] { new { role = "user", content = prompt } },
        }).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{http.BaseAddress} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        int tokens = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument chunk = JsonDocument.Parse(line.AsMemory("data: ".Length));
            if (chunk.RootElement.TryGetProperty("choices", out JsonElement choices) && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out JsonElement delta)
                && delta.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
            {
                tokens++;
            }
        }

        return tokens;
    }
}
