using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.AspNetCore.Hosting;
using OffGrid.AspNetCore.Tests.Backends;

/// <summary>
/// The balancer at a hundred backends without a hundred engines: in-process Kestrel backends that answer instantly (OpenAI
/// server-sent events), one front over all of them. Measures the cost per request through the front against the same request
/// sent directly to one backend, how evenly requests spread, and the health-probe traffic each backend sees.
/// </summary>
internal static class Simulation
{
    public static async Task RunAsync(int backends, int clients, int requests, string strategy, TimeSpan probeWindow)
    {
        Console.Error.WriteLine($"Starting {backends} instant backends…");
        InstantBackend[] pool = await Task.WhenAll(Enumerable.Range(1, backends).Select(i => InstantBackend.StartAsync($"b{i}", "chat")));
        WebApplication front = OffGridWebApplication.Create(
            [
                "--Logging:LogLevel:Default=Warning",
                $"--Hub:HomeDirectory={Directory.CreateTempSubdirectory("offgrid-sim-front").FullName}",
                $"--Server:Balancing:Strategy={strategy}",
                .. pool.SelectMany(b => new[] { $"--Server:Backends:{b.Name}:Kind=openai", $"--Server:Backends:{b.Name}:Endpoint={b.Endpoint}" }),
            ],
            o =>
            {
                o.Host = "127.0.0.1";
                o.Port = 0;
            });
        try
        {
            await front.StartAsync();
            using var through = new HttpClient { BaseAddress = new Uri(front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
            using var direct = new HttpClient { BaseAddress = pool[0].BaseUri };
            await WaitForPoolAsync(through, backends);

            // Warm both paths (JIT, connection pools) before measuring.
            await LoadAsync(direct, clients, 20);
            await LoadAsync(through, clients, 20);
            int[] before = [.. pool.Select(b => b.Requests)];
            (double directRate, double directMs) = await LoadAsync(direct, clients, requests);
            (double frontRate, double frontMs) = await LoadAsync(through, clients, requests);
            int[] spread = [.. pool.Select((b, i) => b.Requests - before[i] - (i == 0 ? clients * requests : 0))];

            int[] probesBefore = [.. pool.Select(b => b.Listings)];
            await Task.Delay(probeWindow);
            double probesPerSecond = pool.Select((b, i) => b.Listings - probesBefore[i]).Sum() / probeWindow.TotalSeconds;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backends} instant backends, {strategy}, {clients} clients × {requests} streamed chat requests:"));
            Console.WriteLine();
            Console.WriteLine("| Target | Requests/s | Mean latency (ms) |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| direct to one backend | {directRate:0} | {directMs:0.00} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| front over {backends} backends | {frontRate:0} | {frontMs:0.00} |"));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Cost per request through the front: {frontMs - directMs:0.00} ms. Spread over the backends: min {spread.Min()}, max {spread.Max()}, mean {spread.Average():0.0} requests."));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Model listings (health probes and discovery) over {probeWindow.TotalSeconds:0} s idle: {probesPerSecond:0.00}/s in all, {probesPerSecond / backends:0.000}/s per backend."));
        }
        finally
        {
            await front.StopAsync();
            await front.DisposeAsync();
            foreach (InstantBackend backend in pool)
            {
                await backend.DisposeAsync();
            }
        }
    }

    private static async Task WaitForPoolAsync(HttpClient front, int backends)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            using JsonDocument models = JsonDocument.Parse(await front.GetStringAsync("/v1/models"));
            if (models.RootElement.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("id").GetString() == "chat" && m.GetProperty("owned_by").GetString()!.Split(',').Length == backends))
            {
                Console.Error.WriteLine($"Pool of {backends} ready after {clock.Elapsed.TotalSeconds:0.0} s.");
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The front did not list all {backends} backends within 2 minutes.");
    }

    private static async Task<(double Rate, double LatencyMs)> LoadAsync(HttpClient http, int clients, int requests)
    {
        var total = Stopwatch.StartNew();
        double[][] latencies = await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var mine = new double[requests];
            for (int i = 0; i < requests; i++)
            {
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await http.PostAsJsonAsync("v1/chat/completions", new
                {
                    model = "chat", stream = true, messages = new[] { new { role = "user", content = $"hello {client} {i}" } },
                });
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsStringAsync();
                mine[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            return mine;
        }));
        return (clients * requests / total.Elapsed.TotalSeconds, latencies.SelectMany(l => l).Average());
    }
}
