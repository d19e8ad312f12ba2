using OffGrid.Hub;

namespace OffGrid.Cli.Server;

/// <summary>A running OffGrid server answered a management request with an error; the message is the server's own.</summary>
internal sealed class ServerRefusedException : Exception
{
    /// <param name="server">The server's root.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="path">The request's path under the server's root, such as <c>/v1/pool</c>.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="reason">Why, in words: the server's error message (<see cref="HttpErrorMessage.Describe"/>) or what was wrong with its answer.</param>
    public ServerRefusedException(Uri server, HttpMethod method, string path, int status, string reason)
        : base(Describe(server, method, path, status, reason))
    {
        Status = status;
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public int Status { get; }

    private static string Describe(Uri server, HttpMethod method, string path, int status, string reason)
    {
        string hint = status is 401 or 403 ? " Pass an administrator's API key with --api-key or OFFGRID_API_KEY." : string.Empty;
        return $"{server} refused {method} {path} ({status}): {reason.TrimEnd('.')}.{hint}";
    }
}
