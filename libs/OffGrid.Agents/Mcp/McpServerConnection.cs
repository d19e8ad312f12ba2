using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace OffGrid.Agents.Mcp;

/// <summary>
/// One configured MCP server and its client session: started on first use, restarted once when it stops, then reported
/// as failed. Tool calls carry the server's timeout.
/// </summary>
/// <remarks>Thread-safe: starts and restarts are serialized; calls run concurrently over the session.</remarks>
internal sealed class McpServerConnection : IAsyncDisposable
{
    private const int StandardErrorTailLines = 20;

    private readonly McpServerConfig _config;
    private readonly AgentOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<string> _standardError = new();
    private McpClient? _client;
    private IReadOnlyList<AIFunction>? _tools;
    private string? _error;
    private bool _failed;
    private int _restarts;
    private bool _disposed;

    public McpServerConnection(string name, ToolSetKind kind, McpServerConfig config, AgentOptions options, ILoggerFactory? loggerFactory)
    {
        Name = name;
        Kind = kind;
        _config = config;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<McpServerConnection>();
        Fingerprint = config.Fingerprint();
    }

    public string Name { get; }

    public ToolSetKind Kind { get; }

    /// <summary>The configuration this connection was made from; a different fingerprint means a new connection.</summary>
    public string Fingerprint { get; }

    public McpServerConfig Config => _config;

    public McpServerStatus Status
    {
        get
        {
            McpServerState state = _config.Disabled ? McpServerState.Disabled
                : _failed ? McpServerState.Failed
                : _client is { Completion.IsCompleted: false } ? McpServerState.Running
                : _error is not null ? McpServerState.Failed
                : McpServerState.Idle;
            return new McpServerStatus(Name, Kind, _config.Transport, state, Target, _tools?.Count, _restarts, state == McpServerState.Failed ? _error : null, _config.Description);
        }
    }

    private string Target => _config.Transport == McpTransportKind.Http
        ? _config.Url!.GetLeftPart(UriPartial.Path)
        : string.Join(' ', [_config.Command!, .. _config.Args]);

    private TimeSpan CallTimeout => _config.Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : _options.CallTimeout;

    /// <summary>The server's tools as functions that call it through this connection (listed once per session).</summary>
    public async Task<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken)
    {
        if (_tools is { } tools)
        {
            return tools;
        }

        McpClient client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        IList<McpClientTool> listed = await RunAsync("list its tools", client, c => c.ListToolsAsync(cancellationToken: cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        _tools = [.. listed.Select(tool => Wrap(tool))];
        return _tools;
    }

    /// <summary>What the server offers: tools, prompts and resources.</summary>
    public async Task<McpServerDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AIFunction> tools = await GetToolsAsync(cancellationToken).ConfigureAwait(false);
        McpClient client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        IList<McpClientPrompt> prompts = client.ServerCapabilities.Prompts is null ? []
            : await RunAsync("list its prompts", client, c => c.ListPromptsAsync(cancellationToken: cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        IList<McpClientResource> resources = client.ServerCapabilities.Resources is null ? []
            : await RunAsync("list its resources", client, c => c.ListResourcesAsync(cancellationToken: cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        return new McpServerDescription(
            Name,
            $"{client.ServerInfo?.Name} {client.ServerInfo?.Version}".Trim(),
            client.ServerInstructions,
            [.. tools.Select(t => new McpToolInfo(t.Name, t.Description, t is ApprovalRequiredAIFunction))],
            [.. prompts.Select(p => new McpPromptInfo(p.Name, p.Description, [.. (p.ProtocolPrompt.Arguments ?? []).Select(a => a.Name)]))],
            [.. resources.Select(r => new McpResourceInfo(r.Uri, r.Name, r.Description, r.MimeType))]);
    }

    /// <summary>
    /// Calls a tool within the server's timeout. A server that stopped is restarted once and the call repeated; a second
    /// stop marks the server failed.
    /// </summary>
    /// <exception cref="ToolInvocationException">The tool reported an error or did not answer in time.</exception>
    /// <exception cref="McpServerException">The server could not be started or stopped again after its restart.</exception>
    public async Task<object?> CallToolAsync(string toolName, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        McpClient client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CallOnceAsync(client, toolName, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ToolInvocationException && !cancellationToken.IsCancellationRequested)
        {
            if (!await HasStoppedAsync(client).ConfigureAwait(false))
            {
                throw;
            }

            client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
            return await CallOnceAsync(client, toolName, arguments, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_client is { } client)
            {
                _client = null;
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<object?> CallOnceAsync(McpClient client, string toolName, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        TimeSpan timeout = CallTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        CallToolResult result;
        try
        {
            result = await client.CallToolAsync(toolName, arguments, cancellationToken: deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolInvocationException(toolName, $"Tool '{toolName}' of MCP server '{Name}' did not answer within {Seconds(timeout)}.", ex);
        }
        catch (McpProtocolException ex)
        {
            throw new ToolInvocationException(toolName, $"MCP server '{Name}' refused the call of '{toolName}': {ex.Message}", ex);
        }

        string text = ResultText(result);
        return result.IsError == true
            ? throw new ToolInvocationException(toolName, $"Tool '{toolName}' of MCP server '{Name}' failed: {text}")
            : text;
    }

    private async Task<T> RunAsync<T>(string what, McpClient client, Func<McpClient, Task<T>> request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CallTimeout);
        try
        {
            return await request(client).WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' did not {what} within {Seconds(CallTimeout)}.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not McpServerException)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' could not {what}: {Innermost(ex).Message}", ex);
        }
    }

    private async Task<McpClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { Completion.IsCompleted: false } running)
        {
            return running;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { Completion.IsCompleted: false } current)
            {
                return current;
            }

            if (_failed)
            {
                throw new McpServerException(Name, _error!);
            }

            if (_client is { } stopped)
            {
                string reason = await DescribeStopAsync(stopped).ConfigureAwait(false);
                _client = null;
                await stopped.DisposeAsync().ConfigureAwait(false);
                if (_restarts > 0)
                {
                    _failed = true;
                    _error = $"MCP server '{Name}' stopped again after a restart{reason}; it stays stopped until its configuration changes or OffGrid restarts.";
                    AgentsTelemetry.McpServerStarts.Add(1, new KeyValuePair<string, object?>("offgrid.mcp.outcome", "failed"));
                    _logger.LogError("{Error}", _error);
                    throw new McpServerException(Name, _error);
                }

                _restarts++;
                _logger.LogWarning("MCP server {Server} stopped{Reason}; restarting it once.", Name, reason);
            }

            _client = await StartAsync(cancellationToken).ConfigureAwait(false);
            _error = null;
            AgentsTelemetry.McpServerStarts.Add(1, new KeyValuePair<string, object?>("offgrid.mcp.outcome", _restarts > 0 ? "restarted" : "started"));
            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<McpClient> StartAsync(CancellationToken cancellationToken)
    {
        lock (_standardError)
        {
            _standardError.Clear();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.StartTimeout);
        try
        {
            return await McpClient.CreateAsync(
                CreateTransport(),
                new McpClientOptions { ClientInfo = new Implementation { Name = "offgrid", Version = typeof(McpServerConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" }, InitializationTimeout = _options.StartTimeout },
                _loggerFactory,
                deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _error = ex switch
            {
                OperationCanceledException or TimeoutException => $"MCP server '{Name}' did not start within {Seconds(_options.StartTimeout)} ({Target}).{StandardErrorSuffix()}",
                ClientTransportClosedException closed => $"MCP server '{Name}' stopped while starting ({Target}){DescribeCompletion(closed.Details)}.",
                _ => $"MCP server '{Name}' did not start ({Target}): {Innermost(ex).Message}{StandardErrorSuffix()}",
            };
            AgentsTelemetry.McpServerStarts.Add(1, new KeyValuePair<string, object?>("offgrid.mcp.outcome", "failed"));
            _logger.LogError("{Error}", _error);
            throw new McpServerException(Name, _error, ex);
        }
    }

    private IClientTransport CreateTransport()
    {
        if (_config.Transport == McpTransportKind.Http)
        {
            return new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Name = Name,
                    Endpoint = _config.Url!,
                    TransportMode = HttpTransportMode.StreamableHttp,
                    ConnectionTimeout = _options.StartTimeout,
                    AdditionalHeaders = _config.Headers.ToDictionary(h => h.Key, h => McpServerConfig.ExpandVariables(h.Value), StringComparer.OrdinalIgnoreCase),
                },
                _loggerFactory);
        }

        return new StdioClientTransport(
            new StdioClientTransportOptions
            {
                Name = Name,
                Command = _config.Command!,
                Arguments = [.. _config.Args],
                WorkingDirectory = _config.Cwd,
                EnvironmentVariables = _config.Env.ToDictionary(e => e.Key, e => (string?)McpServerConfig.ExpandVariables(e.Value), StringComparer.Ordinal),
                StandardErrorLines = RememberStandardError,
            },
            _loggerFactory);
    }

    private void RememberStandardError(string line)
    {
        _logger.LogDebug("{Server}: {Line}", Name, line);
        lock (_standardError)
        {
            _standardError.Enqueue(line);
            while (_standardError.Count > StandardErrorTailLines)
            {
                _standardError.Dequeue();
            }
        }
    }

    private string StandardErrorSuffix()
    {
        lock (_standardError)
        {
            return _standardError.Count == 0 ? string.Empty : " Its last output: " + string.Join(" | ", _standardError.TakeLast(5));
        }
    }

    private static async Task<bool> HasStoppedAsync(McpClient client)
    {
        // The transport reports the stop a moment after the request that ran into it fails.
        await Task.WhenAny(client.Completion, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        return client.Completion.IsCompleted;
    }

    private async Task<string> DescribeStopAsync(McpClient client) => DescribeCompletion(await client.Completion.ConfigureAwait(false));

    private string DescribeCompletion(ClientCompletionDetails? details)
    {
        var text = new StringBuilder();
        if (details is StdioClientCompletionDetails { ExitCode: { } exitCode })
        {
            text.Append($" (exit code {exitCode})");
        }
        else if (details?.Exception is { } exception)
        {
            text.Append($" ({Innermost(exception).Message})");
        }

        text.Append(StandardErrorSuffix());
        return text.ToString();
    }

    private AIFunction Wrap(McpClientTool tool)
    {
        var function = new McpTool(tool, this, _config.ToolArguments.TryGetValue(tool.Name, out IDictionary<string, JsonElement>? narrowed) ? narrowed : null);
        bool approval = _config.RequireApproval is { } policy
            ? policy.Requires(tool.Name)
            : tool.ProtocolTool.Annotations is { ReadOnlyHint: not true, DestructiveHint: true };
        return approval ? new ApprovalRequiredAIFunction(function) : function;
    }

    private static string ResultText(CallToolResult result)
    {
        var parts = new List<string>();
        foreach (ContentBlock block in result.Content)
        {
            parts.Add(block switch
            {
                TextContentBlock text => text.Text,
                EmbeddedResourceBlock { Resource: TextResourceContents resource } => resource.Text,
                EmbeddedResourceBlock { Resource: { } resource } => $"[resource {resource.Uri} ({resource.MimeType})]",
                ResourceLinkBlock link => $"[resource link {link.Uri}]",
                ImageContentBlock image => $"[image ({image.MimeType})]",
                AudioContentBlock audio => $"[audio ({audio.MimeType})]",
                _ => $"[{block.Type}]",
            });
        }

        if (parts.Count == 0 && result.StructuredContent is { } structured)
        {
            parts.Add(structured.ToString());
        }

        return string.Join("\n", parts);
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds >= 1 ? $"{time.TotalSeconds:0.#} s" : $"{time.TotalMilliseconds:0} ms";

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    /// <summary>
    /// An MCP tool whose calls go through the connection, so that they survive a restart of the server; with the narrower
    /// argument schemas of <see cref="McpServerConfig.ToolArguments"/> in its own schema and checked before each call.
    /// </summary>
    private sealed class McpTool : DelegatingAIFunction
    {
        private readonly McpServerConnection _connection;
        private readonly IDictionary<string, JsonElement>? _narrowed;
        private readonly JsonElement _schema;

        public McpTool(McpClientTool tool, McpServerConnection connection, IDictionary<string, JsonElement>? narrowed)
            : base(tool)
        {
            _connection = connection;
            _narrowed = narrowed;
            _schema = narrowed is null ? tool.JsonSchema : Narrow(tool, narrowed, connection.Name);
        }

        public override JsonElement JsonSchema => _schema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            CheckNarrowed(arguments);
            long started = Stopwatch.GetTimestamp();
            string outcome = "error";
            try
            {
                object? result = await _connection.CallToolAsync(Name, arguments, cancellationToken).ConfigureAwait(false);
                outcome = "ok";
                return result;
            }
            finally
            {
                AgentsTelemetry.RecordCall(_connection.Kind, outcome, Stopwatch.GetElapsedTime(started));
            }
        }

        private static JsonElement Narrow(McpClientTool tool, IDictionary<string, JsonElement> narrowed, string server)
        {
            JsonObject schema = JsonNode.Parse(tool.JsonSchema.GetRawText()) as JsonObject ?? [];
            if (schema["properties"] is not JsonObject properties)
            {
                properties = [];
                schema["properties"] = properties;
            }

            foreach ((string argument, JsonElement argumentSchema) in narrowed)
            {
                if (!properties.ContainsKey(argument))
                {
                    throw new McpServerException(server, $"MCP server '{server}': 'toolArguments' narrows '{tool.Name}.{argument}', but '{tool.Name}' takes no argument '{argument}'.");
                }

                properties[argument] = JsonNode.Parse(argumentSchema.GetRawText());
            }

            return JsonSerializer.SerializeToElement(schema);
        }

        private void CheckNarrowed(AIFunctionArguments arguments)
        {
            foreach ((string argument, JsonElement schema) in _narrowed ?? new Dictionary<string, JsonElement>())
            {
                if (!arguments.TryGetValue(argument, out object? value))
                {
                    continue;
                }

                JsonElement given = value is JsonElement json ? json : JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);
                bool allowed = (!schema.TryGetProperty("enum", out JsonElement choices) || choices.EnumerateArray().Any(c => JsonElement.DeepEquals(c, given)))
                    && (!schema.TryGetProperty("const", out JsonElement constant) || JsonElement.DeepEquals(constant, given));
                if (!allowed)
                {
                    throw new ToolInvocationException(Name, $"Tool '{Name}' of MCP server '{_connection.Name}' may not be called with {argument} = {given.GetRawText()}; the server's configuration allows {schema.GetRawText()}.");
                }
            }
        }
    }
}
