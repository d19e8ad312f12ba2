namespace OffGrid.Inference.Remote;

/// <summary>
/// Counts how many OffGrid servers a request has passed through, so that a backend whose endpoint leads back to a server
/// it came from (directly or through others) is refused after a few hops instead of recursing until memory runs out.
/// Every request a <see cref="RemoteBackend"/> sends carries <see cref="HeaderName"/> set to <see cref="Current"/> + 1; a
/// server reads the header of each request it receives into <see cref="Current"/> (ASP.NET Core's <c>UseOffGridHops</c>) and
/// refuses one that has already made more than <see cref="Limit"/> hops with HTTP 508 (Loop Detected, RFC 5842 §7.2).
/// </summary>
/// <remarks>
/// The count flows with the request's execution context (<see cref="AsyncLocal{T}"/>), so the calls one incoming request
/// causes carry its count whichever thread makes them. Thread-safe.
/// </remarks>
public static class RemoteHops
{
    /// <summary>The request header that carries the count: <c>OffGrid-Hops</c>, a non-negative integer.</summary>
    public const string HeaderName = "OffGrid-Hops";

    /// <summary>
    /// The most OffGrid servers a request may pass through before it is refused as a loop: 8, more than any real chain of
    /// front servers, pools and model workers.
    /// </summary>
    public const int Limit = 8;

    private static readonly AsyncLocal<int> s_current = new();

    /// <summary>Gets how many OffGrid servers the request being handled on this execution context has passed through; 0 outside one.</summary>
    public static int Current => s_current.Value;

    /// <summary>Records the count of the request being handled, read from its <see cref="HeaderName"/> header.</summary>
    /// <param name="header">The header's value; a missing or malformed one counts as 0 (a request from a client, not a server).</param>
    /// <returns>The count recorded.</returns>
    public static int Enter(string? header)
    {
        int hops = int.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
        s_current.Value = hops;
        return hops;
    }
}
