using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OffGrid.Governance.Audit;

/// <summary>Applies <see cref="AuditOptions.Retention"/> at start and every six hours while the host runs.</summary>
internal sealed partial class AuditRetentionService(AuditLog log, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan s_interval = TimeSpan.FromHours(6);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (log.Options.Retention is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(s_interval, time);
        do
        {
            try
            {
                long removed = await log.ApplyRetentionAsync(stoppingToken).ConfigureAwait(false);
                if (removed > 0)
                {
                    LogRemoved(removed, log.Options.Retention.Value);
                }
            }
            catch (AuditIntegrityException ex)
            {
                LogTampered(ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit retention removed {Removed} entries older than {Retention}.")]
    private partial void LogRemoved(long removed, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit retention skipped: {Problem}")]
    private partial void LogTampered(string problem);
}
