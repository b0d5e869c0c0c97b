namespace LockboxPortal.Common;

/// <summary>
/// Writes, every <paramref name="interval"/> on <see cref="TimeProvider"/>, what a feature counted in memory, and
/// once more when the app stops, the running period included. A write that fails is logged and tried again at the
/// next one (the feature keeps what it could not write).
/// </summary>
public abstract class PeriodicFlusher(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    /// <summary>What is written, for the log: "the counted access checks".</summary>
    protected abstract string What { get; }

    /// <summary>Writes what is due; <paramref name="all"/> (at shutdown) also what is still being counted.</summary>
    protected abstract Task FlushDueAsync(bool all, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, Time, stoppingToken);
                await FlushSafelyAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(all: true, cancellationToken);
    }

    private async Task FlushSafelyAsync(bool all, CancellationToken cancellationToken)
    {
        try
        {
            await FlushDueAsync(all, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not write {What}; trying again at the next flush.", What);
        }
    }
}
