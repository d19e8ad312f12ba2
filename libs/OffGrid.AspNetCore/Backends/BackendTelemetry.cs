using System.Diagnostics.Metrics;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// The <c>OffGrid.Backends</c> meter, exported on <c>/metrics</c>: per backend (tag <c>backend</c>)
/// <c>offgrid.backend.requests.in_flight</c>, <c>offgrid.backend.healthy</c> (1 when requests may go there),
/// <c>offgrid.backend.time_to_first_token.average</c> (the moving average, seconds), and per backend and model
/// <c>offgrid.backend.time_to_first_token</c> (histogram, seconds) and <c>offgrid.backend.requests</c> (counter by
/// <c>outcome</c>: <c>ok</c>, <c>failed</c> — the backend failed —, <c>rejected</c> — it refused the request as invalid —,
/// <c>cancelled</c>).
/// </summary>
/// <remarks>
/// Thread-safe. Each app's backends report on the meter of the app's <see cref="IMeterFactory"/> (as the model pool does),
/// which is disposed with the app's container; create one per factory.
/// </remarks>
internal sealed class BackendTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "OffGrid.Backends";

    private readonly Histogram<double> _firstToken;
    private readonly Counter<long> _requests;

    public BackendTelemetry(IMeterFactory meterFactory, Func<IReadOnlyList<BackendState>> backends)
    {
        Meter meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("offgrid.backend.requests.in_flight", () => backends().Select(b => new Measurement<int>(b.InFlight, Tag(b))), "{request}", "Requests a backend is answering now.");
        meter.CreateObservableGauge("offgrid.backend.healthy", () => backends().Select(b => new Measurement<int>(b.IsUnhealthy ? 0 : 1, Tag(b))), "1", "1 when health checks and the circuit let requests through to the backend, else 0.");
        meter.CreateObservableGauge(
            "offgrid.backend.time_to_first_token.average",
            () => backends().Where(b => b.FirstToken.Seconds is not null).Select(b => new Measurement<double>(b.FirstToken.Seconds!.Value, Tag(b))),
            "s",
            "Moving average of the backend's time to first token, over its models.");
        _firstToken = meter.CreateHistogram<double>("offgrid.backend.time_to_first_token", "s", "Time from sending a request to a backend to its first token.");
        _requests = meter.CreateCounter<long>("offgrid.backend.requests", "{request}", "Requests sent to a backend, by outcome.");
    }

    public void RecordFirstToken(BackendState backend, string model, TimeSpan elapsed) =>
        _firstToken.Record(elapsed.TotalSeconds, Tag(backend), new KeyValuePair<string, object?>("model", model));

    public void RecordRequest(BackendState backend, string model, string outcome) =>
        _requests.Add(1, Tag(backend), new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", outcome));

    private static KeyValuePair<string, object?> Tag(BackendState backend) => new("backend", backend.Name);
}
