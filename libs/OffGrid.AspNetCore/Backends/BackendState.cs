using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Remote;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// One remote backend at run time: its clients, the YARP <see cref="DestinationState"/> that carries its health and
/// requests in flight, its moving average of time to first token, counters and the models it serves.
/// </summary>
/// <remarks>
/// Thread-safe. The in-flight count is kept here under a lock and mirrored into <see cref="DestinationState.ConcurrentRequestCount"/>,
/// which YARP's policies read but only YARP's own proxy can change atomically. Every <see cref="Begin"/> hands out a request
/// whose disposal — once, whatever happened — takes it off the count again.
/// </remarks>
internal sealed class BackendState : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, IChatClient> _chatClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IEmbeddingGenerator<string, Embedding<float>>> _embeddingGenerators = new(StringComparer.Ordinal);
    private int _inFlight;
    private long _requests;
    private long _failures;
    private int _consecutiveFailures;
    private volatile BackendError? _lastError;
    private volatile IReadOnlyDictionary<string, string>? _models;

    public BackendState(RemoteBackend backend, DestinationState destination, double latencySmoothing)
    {
        Backend = backend;
        Destination = destination;
        FirstToken = new MovingAverage(latencySmoothing);
    }

    public string Name => Backend.Name;

    public RemoteBackend Backend { get; }

    public DestinationState Destination { get; }

    /// <summary>Time to first token over every model of this backend.</summary>
    public MovingAverage FirstToken { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public long Requests => Interlocked.Read(ref _requests);

    public long Failures => Interlocked.Read(ref _failures);

    public BackendError? LastError => _lastError;

    /// <summary>The models served through the backend (client name to backend name), or <see langword="null"/> until it answered a listing.</summary>
    public IReadOnlyDictionary<string, string>? Models
    {
        get => _models;
        set => _models = value;
    }

    /// <summary>Whether health checks or an open circuit keep requests away.</summary>
    public bool IsUnhealthy => Destination.Health.Active == DestinationHealth.Unhealthy || Destination.Health.Passive == DestinationHealth.Unhealthy;

    /// <summary><c>healthy</c>, <c>unhealthy</c> (failed health checks), <c>circuit_open</c> (failed requests) or <c>unknown</c> (not probed yet).</summary>
    public string Status => Destination.Health switch
    {
        { Passive: DestinationHealth.Unhealthy } => "circuit_open",
        { Active: DestinationHealth.Unhealthy } => "unhealthy",
        { Active: DestinationHealth.Healthy } => "healthy",
        _ => "unknown",
    };

    /// <summary>Counts a request in flight until the returned object is disposed.</summary>
    public IDisposable Begin()
    {
        Interlocked.Increment(ref _requests);
        Move(+1);
        return new InFlightRequest(this);
    }

    public IChatClient GetChatClient(string remoteModel) => _chatClients.GetOrAdd(remoteModel, Backend.CreateChatClient);

    public IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string remoteModel) => _embeddingGenerators.GetOrAdd(remoteModel, Backend.CreateEmbeddingGenerator);

    /// <summary>
    /// Records a request the backend failed; returns how many failed in a row. A busy backend (<see cref="BackendFailure.Overloaded"/>)
    /// is not broken: it does not add to the run.
    /// </summary>
    public int RecordFailure(BackendUnavailableException failure)
    {
        Interlocked.Increment(ref _failures);
        _lastError = new BackendError(failure.Message, DateTimeOffset.UtcNow);
        return failure.Failure == BackendFailure.Overloaded ? Volatile.Read(ref _consecutiveFailures) : Interlocked.Increment(ref _consecutiveFailures);
    }

    /// <summary>Whether the last model listing failed (so that a run of failures is logged once).</summary>
    public bool ListingFailed { get; set; }

    /// <summary>Records a listing failure, which is not a request's.</summary>
    public void RecordError(string message) => _lastError = new BackendError(message, DateTimeOffset.UtcNow);

    public void RecordSuccess(TimeSpan firstToken)
    {
        Volatile.Write(ref _consecutiveFailures, 0);
        FirstToken.Add(firstToken);
    }

    public void Dispose()
    {
        foreach (IChatClient client in _chatClients.Values)
        {
            client.Dispose();
        }

        foreach (IEmbeddingGenerator<string, Embedding<float>> generator in _embeddingGenerators.Values)
        {
            generator.Dispose();
        }

        Backend.Dispose();
    }

    private void Move(int delta)
    {
        lock (_gate)
        {
            _inFlight += delta;
            Destination.ConcurrentRequestCount = _inFlight;
        }
    }

    /// <summary>A request in flight; disposing it twice counts once.</summary>
    private sealed class InFlightRequest(BackendState backend) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                backend.Move(-1);
            }
        }
    }
}

/// <summary>The last thing that went wrong with a backend, and when.</summary>
internal sealed record BackendError(string Message, DateTimeOffset At);
