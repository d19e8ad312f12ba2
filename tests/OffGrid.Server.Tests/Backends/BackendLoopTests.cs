using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Hosting;
using OffGrid.Testing;

namespace OffGrid.Server.Tests.Backends;

/// <summary>
/// Backends that lead back to the server a request came from: two real servers (Kestrel) that name each other as backends
/// refuse the request after a few hops with 508 and a message that does not nest, and a backend naming the server itself is
/// refused at start.
/// </summary>
public sealed class BackendLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoServersThatAreEachOthersBackendAnswer508AfterAFewHops()
    {
        int portA = FreePort(), portB = FreePort();
        WebApplication a = Server(portA, portB);
        WebApplication b = Server(portB, portA);
        try
        {
            await Task.WhenAll(a.StartAsync(Ct), b.StartAsync(Ct));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{portA}/"), Timeout = TimeSpan.FromSeconds(60) };
            long started = Stopwatch.GetTimestamp();

            using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "cm", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 4 }, Ct);

            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
            Assert.Equal((HttpStatusCode)508, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            JsonElement error = body.RootElement.GetProperty("error");
            Assert.Equal("backend_loop", error.GetProperty("code").GetString());
            string message = error.GetProperty("message").GetString()!;
            Assert.Contains("'peer'", message, StringComparison.Ordinal);
            Assert.Contains("loop", message, StringComparison.Ordinal);
            Assert.Equal(message.IndexOf("The backend", StringComparison.Ordinal), message.LastIndexOf("The backend", StringComparison.Ordinal));

            // Each server sent the request on a few times, not thousands.
            using JsonDocument backends = JsonDocument.Parse(await http.GetStringAsync("/v1/backends", Ct));
            Assert.InRange(backends.RootElement.GetProperty("data")[0].GetProperty("requests").GetInt64(), 1, 8);
        }
        finally
        {
            await Task.WhenAll(a.DisposeAsync().AsTask(), b.DisposeAsync().AsTask());
        }
    }

    [Fact]
    public void ABackendAtTheServersOwnAddressIsRefusedAtStart()
    {
        int port = FreePort();

        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => Server(port, port));

        Assert.Contains($"Server:Backends:peer: Endpoint http://127.0.0.1:{port}/ is this server's own address", refused.Message, StringComparison.Ordinal);
    }

    private static WebApplication Server(int port, int backendPort) => OffGridWebApplication.Create(
        [
            $"--Hub:HomeDirectory={TestPaths.NewTempDir("offgrid-loop")}",
            "--Server:Backends:peer:Kind=offgrid",
            $"--Server:Backends:peer:Endpoint=http://127.0.0.1:{backendPort}/",
            "--Server:Backends:peer:Models:cm=cm",
            "--Server:Balancing:HealthCheckInterval=00:00:00",
        ],
        options =>
        {
            ServerFixture.Configure(options, preload: []);
            options.Port = port;
        });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
