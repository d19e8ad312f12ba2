namespace OffGrid.AspNetCore;

/// <summary>Where the server runs the llama.cpp engines of its local models (<c>Server:Isolation</c>).</summary>
public enum ModelIsolation
{
    /// <summary>In the server's own process: the fastest, but a native crash in llama.cpp ends the server.</summary>
    InProcess,

    /// <summary>
    /// In a worker process the server starts and restarts: a native crash fails only the requests in flight (HTTP 503 in the
    /// API's error shape), the worker is started again, and the server keeps running. Requires the server to be started by
    /// <c>OffGridWebApplication</c> (<c>offgrid-server</c>, <c>offgrid serve</c>), which can start its own program again as the worker.
    /// </summary>
    Process,
}
