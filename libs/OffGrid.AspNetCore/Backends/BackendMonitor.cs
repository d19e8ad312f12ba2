using System.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace OffGrid.AspNetCore.Backends;

/// <summary>
/// Watches the remote backends while the app runs: lists their models at start and every
/// <see cref="BalancingOptions.ModelRefreshInterval"/> (a backend not listed yet: every <see cref="BalancingOptions.HealthCheckInterval"/>), and hands their YARP cluster to YARP's active health check monitor,
/// which probes every backend each <see cref="BalancingOptions.HealthCheckInterval"/>.
/// </summary>
internal sealed class BackendMonitor : BackgroundService
{
    private readonly RemoteBackends _backends;
    private readonly IActiveHealthCheckMonitor _monitor;
    private readonly IEnumerable<IClusterChangeListener> _listeners;
    private readonly BalancingOptions _options;
    private readonly ILogger<BackendMonitor> _logger;

    public BackendMonitor(RemoteBackends backends, IActiveHealthCheckMonitor monitor, IEnumerable<IClusterChangeListener> listeners, IOptions<OffGridServerOptions> options, ILogger<BackendMonitor> logger)
    {
        _backends = backends;
        _monitor = monitor;
        _listeners = listeners;
        _options = options.Value.Balancing;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_backends.Backends.Count == 0)
        {
            return;
        }

        await _backends.EnsureListedAsync(stoppingToken);
        if (_options.HealthCheckInterval > TimeSpan.Zero)
        {
            // What YARP's own configuration manager does for the clusters it loads: schedule periodic probes, then run the
            // first round (which starts the schedule).
            foreach (IClusterChangeListener listener in _listeners)
            {
                listener.OnClusterAdded(_backends.HealthCluster);
            }

            await _monitor.CheckHealthAsync([_backends.HealthCluster]);
        }

        try
        {
            // A backend that has never listed its models (down at start) is asked again at the health-check pace, so that its
            // models join as soon as it is up rather than a refresh interval later.
            TimeSpan tick = _options.HealthCheckInterval > TimeSpan.Zero && _options.HealthCheckInterval < _options.ModelRefreshInterval
                ? _options.HealthCheckInterval
                : _options.ModelRefreshInterval;
            using var timer = new PeriodicTimer(tick);
            long refreshed = Stopwatch.GetTimestamp();
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (Stopwatch.GetElapsedTime(refreshed) >= _options.ModelRefreshInterval || _backends.Backends.Any(b => b.Models is null))
                {
                    await _backends.RefreshModelsAsync(stoppingToken);
                    refreshed = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _logger.LogDebug("Stopped watching the remote backends.");
        }
        finally
        {
            foreach (IClusterChangeListener listener in _listeners)
            {
                listener.OnClusterRemoved(_backends.HealthCluster);
            }
        }
    }
}
