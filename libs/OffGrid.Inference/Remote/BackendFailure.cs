namespace OffGrid.Inference.Remote;

/// <summary>Why a remote backend could not serve a request; hosts map it to an HTTP status (502, 503 or 504).</summary>
public enum BackendFailure
{
    /// <summary>No connection: refused, reset, or lost before the answer was complete (HTTP 503).</summary>
    Unreachable,

    /// <summary>The backend did not start answering, or finish, within its timeout (HTTP 504).</summary>
    TimedOut,

    /// <summary>The backend is busy: it answered 429 or 503 (HTTP 503).</summary>
    Overloaded,

    /// <summary>The backend answered with an error or something that is not its API: a 5xx, 401, 403, 404 or a malformed body (HTTP 502).</summary>
    BadResponse,

    /// <summary>Every backend that serves the model is marked unhealthy by health checks or an open circuit (HTTP 503).</summary>
    Unhealthy,

    /// <summary>
    /// The request came back to OffGrid servers it had passed through: it made more than <see cref="RemoteHops.Limit"/> hops,
    /// so a backend's endpoint leads back in a loop (HTTP 508).
    /// </summary>
    Loop,
}
