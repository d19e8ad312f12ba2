using System.Text.Json;

namespace OffGrid.Cli.Server;

/// <summary>A running OffGrid server answered a management request with an error; the message is the server's own.</summary>
internal sealed class ServerRefusedException : Exception
{
    /// <param name="server">The server's root.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="path">The request's path.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The answer: an error in OpenAI's shape (<c>{"error":{"message"}}</c>) or anything else.</param>
    public ServerRefusedException(Uri server, HttpMethod method, Uri path, int status, string body)
        : base(Describe(server, method, path, status, body))
    {
        Status = status;
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public int Status { get; }

    private static string Describe(Uri server, HttpMethod method, Uri path, int status, string body)
    {
        string message = ErrorMessage(body) ?? body;
        string hint = status is 401 or 403 ? " Pass an administrator's API key with --api-key or OFFGRID_API_KEY." : string.Empty;
        return $"{server} refused {method} /{path.OriginalString.TrimStart('/')} ({status}): {message.TrimEnd('.')}.{hint}";
    }

    private static string? ErrorMessage(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<ErrorAnswer>(body, JsonSerializerOptions.Web)?.Error?.Message;
        }
        catch (JsonException)
        {
            return null; // not an error in OpenAI's shape: the body itself is the message
        }
    }

    private sealed record ErrorAnswer(ErrorDetail? Error);

    private sealed record ErrorDetail(string? Message);
}
