using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffGrid.Testing;

namespace OffGrid.Testing.Browser;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (one page, JavaScript evaluation only):
/// enough to use the web UI as a person would, without a browser-automation package.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        string profile = TestPaths.NewTempDir("offgrid-chromium");
        var start = new ProcessStartInfo(ExecutablePath)
        {
            ArgumentList =
            {
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", $"--user-data-dir={profile}", "about:blank",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        // With port 0 chromium writes the port it picked into DevToolsActivePort in the profile.
        // The file appears before its content does: wait for the first line, not for the file.
        string portFile = Path.Combine(profile, "DevToolsActivePort");
        string? portLine = null;
        for (int i = 0; i < 200 && string.IsNullOrWhiteSpace(portLine = ReadFirstLine(portFile)); i++)
        {
            await Task.Delay(50, cancellationToken);
        }

        int port = int.Parse(portLine ?? throw new InvalidOperationException($"chromium wrote no DevTools port into {portFile} within 10 s."), System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient();
        JsonArray pages = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list", cancellationToken))!.AsArray();
        string debuggerUrl = pages.First(p => (string?)p!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(debuggerUrl), cancellationToken);
        return new HeadlessChromium(process, profile, socket);
    }

    public Task NavigateAsync(Uri url, CancellationToken cancellationToken) =>
        SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, cancellationToken);

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        JsonNode result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        return result["result"]?["value"];
    }

    /// <summary>Evaluates <paramref name="expression"/> until it is truthy, and returns its last value.</summary>
    public async Task<JsonNode?> WaitForAsync(string expression, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        JsonNode? value;
        while (!IsTruthy(value = await EvaluateAsync(expression, cancellationToken)) && stopwatch.Elapsed < timeout)
        {
            await Task.Delay(50, cancellationToken);
        }

        return value;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_profile, recursive: true);
    }

    private static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out double d) => d != 0,
        JsonValue v when v.TryGetValue(out string? s) => !string.IsNullOrEmpty(s),
        _ => true,
    };

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        int id = ++_nextId;
        byte[] message = Encoding.UTF8.GetBytes(new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString());
        await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, cancellationToken);
                received.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);

            JsonNode reply = JsonNode.Parse(received.ToArray())!;
            if ((int?)reply["id"] == id)
            {
                return reply["error"] is { } error ? throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}") : reply["result"]!;
            }
        }
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
