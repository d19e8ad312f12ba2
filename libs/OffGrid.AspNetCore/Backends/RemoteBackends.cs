using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OffGrid.Hub.References;
using OffGrid.Inference;
using OffGrid.Inference.Remote;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// The remote backends of <see cref="OffGridServerOptions.Backends"/> and the pools of the models they serve. It is the
/// <see cref="IModelSource"/> through which remote model names join Hub's <see cref="ModelResolver"/>, and it gives each
/// remote model the bottom client of its pipeline: a <see cref="BalancedChatClient"/> over the model's pool.
/// </summary>
/// <remarks>
/// <para>
/// Load balancing uses YARP's pieces in process rather than its proxy, because a request must stay an <see cref="IChatClient"/>
/// call — tools, structured output, RAG, quotas and audit run as middleware above it — and must be able to fail over to another
/// backend, which a proxied HTTP stream cannot once it has been read. Every backend is a YARP <see cref="DestinationState"/> of
/// one cluster that YARP's active health check monitor probes (<see cref="RemoteBackend.HealthUri"/>, consecutive-failures
/// policy); YARP's <see cref="IDestinationHealthUpdater"/> opens a backend's circuit (passive health with a reactivation
/// period) after failed requests; YARP's <see cref="IAvailableDestinationsPolicy"/> decides which backends are usable; and each
/// model's pool is a cluster balanced by a YARP <see cref="ILoadBalancingPolicy"/>: YARP's round-robin, least-requests,
/// power-of-two-choices, random and first, or OffGrid's weighted and latency policies.
/// </para>
/// <para>Thread-safe. Backends are fixed at start; the models they serve are listed at first use and every <see cref="BalancingOptions.ModelRefreshInterval"/>.</para>
/// </remarks>
internal sealed class RemoteBackends : IModelSource, IDisposable
{
    /// <summary>The id of the YARP cluster that holds every backend for health checks.</summary>
    public const string HealthClusterId = "offgrid-backends";

    private const string RemotePathScheme = "remote://";

    private readonly BalancingOptions _options;
    private readonly BackendState[] _backends;
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies;
    private readonly IAvailableDestinationsPolicy _availability;
    private readonly IDestinationHealthUpdater _health;
    private readonly HttpMessageInvoker _probes;
    private readonly ConcurrentDictionary<string, BackendPool> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _rebuild = new();
    private readonly Lazy<Task> _firstListing;
    private readonly ILogger<RemoteBackends> _logger;

    public RemoteBackends(
        IOptions<OffGridServerOptions> options,
        IEnumerable<ILoadBalancingPolicy> policies,
        IEnumerable<IAvailableDestinationsPolicy> availability,
        IClusterDestinationsUpdater destinations,
        IDestinationHealthUpdater health,
        FirstTokenLatencies latencies,
        IMeterFactory meterFactory,
        ILogger<RemoteBackends> logger)
    {
        OffGridServerOptions server = options.Value;
        _options = server.Balancing;
        _logger = logger;
        _health = health;
        Latencies = latencies;
        _policies = policies.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        _availability = availability.First(p => p.Name == HealthCheckConstants.AvailableDestinations.HealthyAndUnknown);
        RemoteBackend[] remotes = [.. server.Backends.Select(b => new RemoteBackend(b.Key, b.Value))];
        _probes = new HttpMessageInvoker(new ProbeCredentials(remotes), disposeHandler: true);
        var destinationConfigs = remotes.ToDictionary(r => r.Name, Destination, StringComparer.OrdinalIgnoreCase);
        var config = new ClusterConfig
        {
            ClusterId = HealthClusterId,
            Destinations = destinationConfigs,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = _options.HealthCheckInterval > TimeSpan.Zero,
                    Interval = _options.HealthCheckInterval > TimeSpan.Zero ? _options.HealthCheckInterval : null,
                    Timeout = _options.HealthCheckTimeout,
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                },
                Passive = new PassiveHealthCheckConfig { Enabled = true, ReactivationPeriod = _options.CircuitBreakDuration },
                AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
            },
            HttpRequest = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower },
            Metadata = new Dictionary<string, string>
            {
                [ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = _options.UnhealthyAfterFailedChecks.ToString(CultureInfo.InvariantCulture),
            },
        };
        HealthCluster = new ClusterState(HealthClusterId, new ClusterModel(config, _probes));
        _backends = [.. remotes.Select(remote =>
        {
            var destination = new DestinationState(remote.Name, new DestinationModel(destinationConfigs[remote.Name]));
            HealthCluster.Destinations[remote.Name] = destination;
            return new BackendState(remote, destination, _options.LatencySmoothing);
        })];
        destinations.UpdateAllDestinations(HealthCluster);
        _firstListing = new Lazy<Task>(() => RefreshModelsAsync(CancellationToken.None));
        Telemetry = new BackendTelemetry(meterFactory, () => _backends);
    }

    /// <summary>The backends, in configuration order.</summary>
    public IReadOnlyList<BackendState> Backends => _backends;

    /// <summary>The YARP cluster of every backend, which the active health check monitor probes.</summary>
    public ClusterState HealthCluster { get; }

    /// <summary>The pools of the models the backends serve, by model name.</summary>
    public IReadOnlyCollection<BackendPool> Pools => [.. _pools.Values.OrderBy(p => p.Model, StringComparer.OrdinalIgnoreCase)];

    public BalancingOptions Options => _options;

    public FirstTokenLatencies Latencies { get; }

    public BackendTelemetry Telemetry { get; }

    /// <summary>Lists the remote models (after the backends' first listing, which takes at most <see cref="BalancingOptions.HealthCheckTimeout"/>).</summary>
    public async ValueTask<IReadOnlyList<LocalModel>> ListAsync(CancellationToken cancellationToken)
    {
        if (_backends.Length == 0)
        {
            return [];
        }

        await _firstListing.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. Pools.Where(p => p.Members.Count > 0).Select(p => new LocalModel(p.Model, RemotePathScheme + p.Model, LocalModelSource.Remote))];
    }

    /// <summary>The backends that serve a remote model now, in configuration order; empty for a model no backend serves.</summary>
    public IReadOnlyList<PoolMember> MembersOf(string model) => _pools.TryGetValue(model, out BackendPool? pool) ? pool.Members : [];

    /// <summary>The pool of a remote model.</summary>
    /// <exception cref="BackendUnavailableException">No backend serves the model any more.</exception>
    public BackendPool GetPool(string model) =>
        _pools.TryGetValue(model, out BackendPool? pool) && pool.Members.Count > 0
            ? pool
            : throw new BackendUnavailableException(model, BackendFailure.Unhealthy, $"No backend serves '{model}' any more (see GET /v1/backends).");

    /// <summary>The bottom of a remote model's chat pipeline.</summary>
    public IChatClient CreateChatClient(string model) => new BalancedChatClient(this, model);

    /// <summary>The bottom of a remote model's embedding pipeline.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string model) => new BalancedEmbeddingGenerator(this, model);

    /// <summary>Waits for the first listing of the backends' models (started on first use).</summary>
    public Task EnsureListedAsync(CancellationToken cancellationToken) => _firstListing.Value.WaitAsync(cancellationToken);

    /// <summary>Lists every backend's models again (a backend that cannot be asked keeps its last list) and regroups the pools.</summary>
    public async Task RefreshModelsAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_backends.Select(b => ListModelsAsync(b, cancellationToken))).ConfigureAwait(false);
        RebuildPools();
    }

    /// <summary>Records a request that reached a backend's first token.</summary>
    public void ReportSuccess(BackendPool pool, BackendState backend, TimeSpan firstToken)
    {
        backend.RecordSuccess(firstToken);
        Latencies.Record(pool.Cluster, backend.Destination, firstToken, _options.LatencySmoothing);
        Telemetry.RecordFirstToken(backend, pool.Model, firstToken);
    }

    /// <summary>Records a request a backend failed, and opens its circuit after <see cref="BalancingOptions.CircuitBreakerFailures"/> in a row.</summary>
    public void ReportFailure(BackendState backend, BackendUnavailableException failure)
    {
        int inARow = backend.RecordFailure(failure);
        if (failure.Failure != BackendFailure.Overloaded && inARow >= _options.CircuitBreakerFailures && backend.Destination.Health.Passive != DestinationHealth.Unhealthy)
        {
            _logger.LogWarning("The backend {Backend} failed {Count} requests in a row; its circuit is open for {Duration}: {Error}", backend.Name, inARow, _options.CircuitBreakDuration, failure.Message);
            _health.SetPassive(HealthCluster, backend.Destination, DestinationHealth.Unhealthy, _options.CircuitBreakDuration);
        }
    }

    public void Dispose()
    {
        foreach (BackendState backend in _backends)
        {
            backend.Dispose();
        }

        _probes.Dispose();
    }

    private static DestinationConfig Destination(RemoteBackend backend) => new()
    {
        Address = backend.Endpoint.ToString(),
        Health = backend.HealthUri.ToString(),
        Metadata = new Dictionary<string, string> { [WeightedLoadBalancingPolicy.WeightMetadataKey] = backend.Options.Weight.ToString(CultureInfo.InvariantCulture) },
    };

    private async Task ListModelsAsync(BackendState backend, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HealthCheckTimeout);
        string? error;
        try
        {
            IReadOnlyDictionary<string, string> models = await backend.Backend.GetModelsAsync(timeout.Token).ConfigureAwait(false);
            if (backend.ListingFailed || backend.Models is null)
            {
                _logger.LogInformation("The backend {Backend} serves {Models}.", backend.Name, string.Join(", ", models.Keys.Order(StringComparer.OrdinalIgnoreCase)));
            }

            backend.Models = models;
            backend.ListingFailed = false;
            return;
        }
        catch (Exception ex) when (ex is BackendUnavailableException or InvalidRequestException)
        {
            // A 400 or the like means no model list of the API its kind says (a wrong endpoint path, another server): the
            // backend's error too, never the app's.
            error = ex.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"The backend '{backend.Name}' ({backend.Backend.Endpoint}) did not list its models within {_options.HealthCheckTimeout.TotalSeconds:0.#} s.";
        }

        backend.RecordError(error);
        if (!backend.ListingFailed)
        {
            _logger.LogWarning("Listing the models of {Backend} failed; it keeps the models it listed before ({Count}): {Error}", backend.Name, backend.Models?.Count ?? 0, error);
        }

        backend.ListingFailed = true;
    }

    private void RebuildPools()
    {
        lock (_rebuild)
        {
            var served = new Dictionary<string, List<PoolMember>>(StringComparer.OrdinalIgnoreCase);
            foreach (BackendState backend in _backends)
            {
                foreach ((string model, string remote) in backend.Models ?? new Dictionary<string, string>())
                {
                    (served.TryGetValue(model, out List<PoolMember>? members) ? members : served[model] = []).Add(new PoolMember(backend, remote));
                }
            }

            foreach ((string model, List<PoolMember> members) in served)
            {
                BackendPool pool = _pools.GetOrAdd(model, CreatePool);
                if (!pool.Members.SequenceEqual(members))
                {
                    pool.SetMembers([.. members]);
                }
            }

            foreach (string gone in _pools.Keys.Where(m => !served.ContainsKey(m)).ToList())
            {
                _pools.TryRemove(gone, out _);
            }
        }
    }

    private BackendPool CreatePool(string model)
    {
        string strategy = _options.Models.TryGetValue(model, out string? own) ? own : _options.Strategy;
        ILoadBalancingPolicy policy = _policies.TryGetValue(strategy, out ILoadBalancingPolicy? found)
            ? found
            : throw new InvalidOperationException($"No load-balancing policy is named '{strategy}'; the options validator should have refused it.");
        PrefixAffinity? affinity = _options.PrefixAffinity ? new PrefixAffinity(_options.AffinityCapacity) : null;
        return new BackendPool(model, policy, _availability, HealthCluster.Model.Config, _probes, affinity);
    }

    /// <summary>The health probes' handler: each backend's API key goes with its probes, as servers that require one refuse unauthenticated model listings.</summary>
    private sealed class ProbeCredentials : DelegatingHandler
    {
        private readonly Dictionary<string, string> _keys;

        public ProbeCredentials(IEnumerable<RemoteBackend> backends)
            : base(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            _keys = backends.Where(b => b.Options.ApiKey is { Length: > 0 })
                .GroupBy(b => b.HealthUri.GetLeftPart(UriPartial.Authority), StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.First().Options.ApiKey!, StringComparer.OrdinalIgnoreCase);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && _keys.TryGetValue(uri.GetLeftPart(UriPartial.Authority), out string? key))
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
