using System.Text.Json;

namespace OffGrid.Agents.Tools;

/// <summary>
/// How an HTTP tool sends its request. <c>url</c>, header values and strings inside <c>body</c> may hold <c>{argument}</c>
/// placeholders (URL values are percent-encoded; a body string that is exactly one placeholder takes the argument's JSON value).
/// </summary>
public sealed class HttpToolSpec
{
    /// <summary>Gets or sets the method: GET, POST, PUT, PATCH, DELETE or HEAD.</summary>
    public string Method { get; set; } = "GET";

    /// <summary>Gets or sets the URL template, for example <c>https://api.example/v1/items/{id}?q={query}</c>.</summary>
    public string? Url { get; set; }

    /// <summary>Gets or sets the request headers.</summary>
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets a JSON body template (sent as <c>application/json</c>).</summary>
    public JsonElement? Body { get; set; }

    /// <summary>
    /// Gets or sets the hosts the request and every redirect may go to (<c>api.example</c>, <c>*.example</c>, <c>host:8080</c>).
    /// When empty, only the URL's own host is allowed; a URL whose host is a placeholder must list them.
    /// </summary>
    public IList<string> AllowedHosts { get; set; } = [];

    /// <summary>Gets or sets the seconds the whole exchange may take, redirects included; default 30.</summary>
    public double? TimeoutSeconds { get; set; }

    /// <summary>Gets or sets the most bytes of response body the tool reads; default 256 KiB.</summary>
    public int? MaxResponseBytes { get; set; }

    /// <summary>Gets or sets how many redirects are followed; default 5.</summary>
    public int? MaxRedirects { get; set; }
}
