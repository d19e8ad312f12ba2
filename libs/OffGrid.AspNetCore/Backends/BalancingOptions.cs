namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// How requests are spread over the remote backends that serve a model, and how failing backends are found and avoided.
/// Bound from <c>Server:Balancing</c>.
/// </summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class BalancingOptions
{
    /// <summary>Gets or sets the strategy for every model (a name from <see cref="BalancingStrategies"/>, or of an app's own YARP policy). Defaults to <see cref="BalancingStrategies.LeastRequests"/>.</summary>
    public string Strategy { get; set; } = BalancingStrategies.LeastRequests;

    /// <summary>Gets or sets strategies for single models: the model name clients use mapped to a strategy name.</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets whether a conversation goes back to the backend that answered its previous turn, which holds the
    /// conversation's prompt in its KV cache, for as long as that backend is healthy. Defaults to <see langword="true"/>.
    /// </summary>
    public bool PrefixAffinity { get; set; } = true;

    /// <summary>Gets or sets how many conversations per model the prefix affinity remembers (oldest forgotten first). Defaults to 10,000.</summary>
    public int AffinityCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets how often every backend's health address is probed (active health checks); <see cref="TimeSpan.Zero"/> turns them off. Defaults to 10 seconds.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long a health probe, or a model listing, may take. Defaults to 5 seconds.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets after how many failed probes in a row a backend is unhealthy (until a probe succeeds). Defaults to 2.</summary>
    public int UnhealthyAfterFailedChecks { get; set; } = 2;

    /// <summary>
    /// Gets or sets after how many failed requests in a row a backend's circuit opens (passive health check): it gets no
    /// requests for <see cref="CircuitBreakDuration"/>, then one failure opens it again. Defaults to 3.
    /// </summary>
    public int CircuitBreakerFailures { get; set; } = 3;

    /// <summary>Gets or sets how long an open circuit keeps a backend out. Defaults to 30 seconds.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many backends a request may try when the ones before failed before sending anything. Defaults to 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets how often the backends' model lists are fetched again. Defaults to 1 minute.</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the weight of the newest time-to-first-token sample in its moving average: 0 (exclusive) to 1. Defaults to 0.3.</summary>
    public double LatencySmoothing { get; set; } = 0.3;

    /// <summary>Lists what is wrong with the options.</summary>
    /// <returns>One sentence per problem, each naming the setting under <c>Server:Balancing</c>; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Strategy))
        {
            errors.Add("Server:Balancing:Strategy must name a strategy.");
        }

        if (AffinityCapacity < 1)
        {
            errors.Add($"Server:Balancing:AffinityCapacity must be at least 1 (was {AffinityCapacity}).");
        }

        if (HealthCheckInterval < TimeSpan.Zero || HealthCheckTimeout <= TimeSpan.Zero || CircuitBreakDuration <= TimeSpan.Zero || ModelRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add("Server:Balancing needs HealthCheckInterval ≥ 0 and a positive HealthCheckTimeout, CircuitBreakDuration and ModelRefreshInterval.");
        }

        if (UnhealthyAfterFailedChecks < 1 || CircuitBreakerFailures < 1 || MaxAttempts < 1)
        {
            errors.Add("Server:Balancing needs UnhealthyAfterFailedChecks, CircuitBreakerFailures and MaxAttempts of at least 1.");
        }

        if (LatencySmoothing is <= 0 or > 1 || double.IsNaN(LatencySmoothing))
        {
            errors.Add($"Server:Balancing:LatencySmoothing must be above 0 and at most 1 (was {LatencySmoothing}).");
        }

        return errors;
    }
}
