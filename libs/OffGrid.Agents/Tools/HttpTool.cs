using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tools;

/// <summary>
/// A custom tool that sends one HTTP request built from its templates. Argument values are percent-encoded into the URL;
/// the request and every redirect must go to an allowed host over http or https (redirects are followed here, one by one,
/// never by the handler); the exchange has a deadline and the response body a size cap.
/// </summary>
/// <remarks>Thread-safe: calls share an <see cref="HttpClient"/> that never follows redirects by itself.</remarks>
internal sealed class HttpTool : AIFunction
{
    private const double DefaultTimeoutSeconds = 30;
    private const int DefaultMaxResponseBytes = 256 * 1024;
    private const int DefaultMaxRedirects = 5;

    private readonly ToolDefinition _definition;
    private readonly HttpToolSpec _http;
    private readonly ToolParameters _parameters;
    private readonly HttpClient _client;
    private readonly ArgumentTemplate _url;
    private readonly IReadOnlyList<string> _allowedHosts;

    /// <param name="definition">A validated HTTP tool definition.</param>
    /// <param name="client">A client whose handler does not follow redirects.</param>
    public HttpTool(ToolDefinition definition, HttpClient client)
    {
        _definition = definition;
        _http = definition.Http!;
        _parameters = definition.ReadParameters();
        _client = client;
        _url = ArgumentTemplate.Parse(_http.Url!, "http.url");
        _allowedHosts = _http.AllowedHosts.Count > 0 ? [.. _http.AllowedHosts] : [new Uri(_url.Render(_ => "x")).Authority];
    }

    public override string Name => _definition.Name!;

    public override string Description => _definition.Description ?? string.Empty;

    public override JsonElement JsonSchema => _parameters.Schema;

    private TimeSpan Timeout => TimeSpan.FromSeconds(_http.TimeoutSeconds ?? DefaultTimeoutSeconds);

    /// <summary>Whether the scheme-and-host part of a URL template holds a placeholder.</summary>
    internal static bool AuthorityHasPlaceholder(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal);
        int from = start < 0 ? 0 : start + 3;
        int end = url.IndexOfAny(['/', '?', '#'], from);
        string authority = end < 0 ? url : url[..end];
        return authority.Replace("{{", string.Empty, StringComparison.Ordinal).Contains('{', StringComparison.Ordinal);
    }

    /// <summary>Every string inside a JSON body template (property names excluded).</summary>
    internal static IEnumerable<string> BodyStrings(JsonElement body) => body.ValueKind switch
    {
        JsonValueKind.String => [body.GetString()!],
        JsonValueKind.Array => body.EnumerateArray().SelectMany(BodyStrings),
        JsonValueKind.Object => body.EnumerateObject().SelectMany(p => BodyStrings(p.Value)),
        _ => [],
    };

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string outcome = "error";
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            string result;
            try
            {
                result = await SendAsync(new ToolArguments(Name, _parameters, arguments), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ToolInvocationException(Name, $"'{Name}' got no complete answer within {Timeout.TotalSeconds:0.#} s.", ex);
            }
            catch (HttpRequestException ex)
            {
                throw new ToolInvocationException(Name, $"'{Name}': the request failed: {ex.Message}", ex);
            }

            outcome = "ok";
            return result;
        }
        finally
        {
            AgentsTelemetry.RecordCall(ToolSetKind.Http, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<string> SendAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        string rendered = _url.Render(name => Uri.EscapeDataString(arguments.Text(name)));
        if (!Uri.TryCreate(rendered, UriKind.Absolute, out Uri? uri))
        {
            throw new ToolInvocationException(Name, $"'{Name}': the arguments make an invalid URL '{rendered}'.");
        }

        CheckAllowed(uri, redirect: false);
        var method = new HttpMethod(_http.Method.ToUpperInvariant());
        string? body = _http.Body is { } template ? RenderBody(template, arguments)?.ToJsonString() ?? "null" : null;
        int redirects = 0;
        while (true)
        {
            using HttpRequestMessage request = CreateRequest(method, uri, body, arguments);
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (++redirects > (_http.MaxRedirects ?? DefaultMaxRedirects))
                {
                    throw new ToolInvocationException(Name, $"'{Name}': {uri.Authority} redirected more than {_http.MaxRedirects ?? DefaultMaxRedirects} times.");
                }

                uri = new Uri(uri, location);
                CheckAllowed(uri, redirect: true);
                if (response.StatusCode == HttpStatusCode.SeeOther || (response.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Found && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                    body = null;
                }

                continue;
            }

            string text = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? text
                : throw new ToolInvocationException(Name, $"'{Name}': {method} {uri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}" + (text.Length > 0 ? $": {Snippet(text)}" : "."));
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, string? body, ToolArguments arguments)
    {
        var request = new HttpRequestMessage(method, uri);
        foreach ((string name, string template) in _http.Headers)
        {
            string value = ArgumentTemplate.Parse(template, $"http.headers.{name}").Render(arguments.Text);
            if (value.Any(char.IsControl))
            {
                throw new ToolInvocationException(Name, $"'{Name}': the value of header '{name}' would contain a control character.");
            }

            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (body is not null)
        {
            var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Content = content;
        }

        return request;
    }

    private void CheckAllowed(Uri uri, bool redirect)
    {
        string where = redirect ? "was redirected to" : "would reach";
        if (uri.Scheme is not ("http" or "https"))
        {
            throw new ToolInvocationException(Name, $"'{Name}' {where} {uri.Scheme}:, which is not http or https; the request was not sent.");
        }

        if (!_allowedHosts.Any(pattern => HostMatches(pattern, uri)))
        {
            throw new ToolInvocationException(Name, $"'{Name}' {where} {uri.Authority}, which is not among its allowed hosts ({string.Join(", ", _allowedHosts)}); the request was not sent.");
        }
    }

    private static bool HostMatches(string pattern, Uri uri)
    {
        string host = pattern;
        int? port = null;
        int colon = pattern.LastIndexOf(':');
        if (colon > 0 && int.TryParse(pattern[(colon + 1)..], out int p) && !pattern.EndsWith(']'))
        {
            host = pattern[..colon];
            port = p;
        }

        if (port is { } required && uri.Port != required)
        {
            return false;
        }

        return host.StartsWith("*.", StringComparison.Ordinal)
            ? uri.IdnHost.EndsWith(host[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(uri.IdnHost, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) || string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        int limit = _http.MaxResponseBytes ?? DefaultMaxResponseBytes;
        if (content.Headers.ContentLength > limit)
        {
            throw new ToolInvocationException(Name, $"'{Name}': the response is {content.Headers.ContentLength} bytes, more than the {limit} allowed.");
        }

        await using Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ToolInvocationException(Name, $"'{Name}': the response is larger than the {limit} bytes allowed.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static JsonNode? RenderBody(JsonElement template, ToolArguments arguments) => template.ValueKind switch
    {
        JsonValueKind.String => RenderString(template.GetString()!, arguments),
        JsonValueKind.Array => new JsonArray([.. template.EnumerateArray().Select(item => RenderBody(item, arguments))]),
        JsonValueKind.Object => new JsonObject(template.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, RenderBody(p.Value, arguments)))),
        _ => JsonNode.Parse(template.GetRawText()),
    };

    private static JsonNode? RenderString(string text, ToolArguments arguments)
    {
        ArgumentTemplate template = ArgumentTemplate.Parse(text, "http.body");
        if (template.SolePlaceholder is { } name)
        {
            return arguments.Json(name) is { } value ? JsonNode.Parse(value.GetRawText()) : null;
        }

        return JsonValue.Create(template.Render(arguments.Text));
    }

    private static string Snippet(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";
}
